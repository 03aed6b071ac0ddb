package dev.infer4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One run of the command line in this process, as the CLI tests see it: the exit status and what went to stdout and
 * stderr.
 */
record CliRun(int status, String out, String err) {

    /** Runs {@code infer4j args...} through {@link Main#run} and keeps what it printed. */
    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(status, out.toString(), err.toString());
    }
}
