package dev.infer4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code infer4j} executable. Each subcommand is a thin adapter from options to a module's API; the
 * command line lives in {@code bench} because it is the one module that sees every other.
 */
@Command(name = "infer4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "LLM inference in pure Java: GGUF, AWQ/GPTQ, an OpenAI-compatible server.",
        subcommands = {InspectCommand.class, TokenizeCommand.class, GenerateCommand.class, ServeCommand.class,
                QuantizeCommand.class, SynthCommand.class, DraftCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    private Main() {
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line on the standard streams and returns its exit status. */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the command line writing to the given streams (tests call this) and returns its exit status. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(new UserErrorHandler());
        int status = cli.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    /** Reports the build's version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"infer4j " + (v == null ? "(development build)" : v)};
        }
    }
}
