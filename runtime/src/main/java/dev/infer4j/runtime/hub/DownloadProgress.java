package dev.infer4j.runtime.hub;

import java.io.PrintStream;

/** Told how a download advances. Called from the downloading thread, at most about ten times a second. */
public interface DownloadProgress {

    /**
     * @param file  the file name
     * @param done  bytes on disk so far (including a resumed part)
     * @param total the file's size, or -1 if unknown
     */
    void update(String file, long done, long total);

    /** Called once when the file is complete and verified. */
    default void finished(String file, long total) {
    }

    /** Reports nothing. */
    static DownloadProgress silent() {
        return (file, done, total) -> { };
    }

    /** A one-line progress bar redrawn in place on {@code out} (typically stderr). */
    static DownloadProgress bar(PrintStream out) {
        return new DownloadProgress() {
            private final long started = System.nanoTime();

            @Override
            public void update(String file, long done, long total) {
                double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
                String rate = String.format("%.1f MB/s", done / seconds / 1e6);
                if (total > 0) {
                    int width = 30;
                    int filled = (int) (width * done / total);
                    out.printf("\r%s [%s%s] %5.1f%% %s   ", file, "=".repeat(filled), " ".repeat(width - filled),
                            100.0 * done / total, rate);
                } else {
                    out.printf("\r%s %,d bytes %s   ", file, done, rate);
                }
                out.flush();
            }

            @Override
            public void finished(String file, long total) {
                out.printf("\r%s: %,d bytes, checksum verified%s%n", file, total, " ".repeat(30));
            }
        };
    }
}
