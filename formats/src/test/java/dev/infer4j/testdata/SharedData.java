package dev.infer4j.testdata;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared test data folder ({@code ../shared} beside the repository root).
 *
 * <p>Maven passes it as the system property {@code infer4j.shared}; when a test runs from an IDE the folder is
 * found by walking up from the working directory. A missing folder fails loudly: these tests exist to compare
 * against the real files, and skipping them would hide that nothing was checked.
 */
public final class SharedData {
    private static final Path ROOT = locate();

    private SharedData() {
    }

    /** The shared folder. */
    public static Path root() {
        return ROOT;
    }

    /** A path inside the shared folder that must exist. */
    public static Path file(String relative) {
        Path p = ROOT.resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException("shared test file missing: " + p);
        }
        return p;
    }

    private static Path locate() {
        String property = System.getProperty("infer4j.shared");
        if (property != null && Files.isDirectory(Path.of(property, "models"))) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("models"))) {
                return candidate.normalize();
            }
        }
        throw new IllegalStateException("cannot find the shared test data (../shared beside the repository); "
                + "set -Dinfer4j.shared=/path/to/shared");
    }
}
