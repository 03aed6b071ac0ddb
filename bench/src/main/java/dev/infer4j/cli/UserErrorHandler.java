package dev.infer4j.cli;

import dev.infer4j.formats.ModelFormatException;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * Turns the failures a user can fix (a bad or missing file, a bad argument) into one clear line on stderr and
 * exit status 1; anything else is a bug and keeps its stack trace.
 */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        String message = switch (e) {
            case NoSuchFileException n -> "no such file: " + n.getFile();
            case ModelFormatException m -> m.getMessage();
            case IOException io -> io.getClass().getSimpleName() + ": " + io.getMessage();
            case IllegalArgumentException ia -> ia.getMessage();
            default -> null;
        };
        if (message == null) {
            throw new IllegalStateException(e);
        }
        cli.getErr().println("infer4j " + cli.getCommandName() + ": " + message);
        return 1;
    }
}
