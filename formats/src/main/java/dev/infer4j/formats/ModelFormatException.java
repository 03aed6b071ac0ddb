package dev.infer4j.formats;

import java.nio.file.Path;

/**
 * A model or vocabulary file that cannot be read: wrong magic, unsupported version, a truncated or corrupt
 * structure, an unknown tensor type. The message names the file, the byte offset where reading failed (when
 * known) and what was expected there, so a user can tell a bad download from an unsupported feature.
 */
public final class ModelFormatException extends RuntimeException {
    private final Path file;
    private final long offset;

    /**
     * @param file   the file being read, or {@code null} for an in-memory buffer
     * @param offset byte offset of the problem, or -1 when it has no single position
     * @param detail what was expected and what was found
     */
    public ModelFormatException(Path file, long offset, String detail) {
        super(describe(file, offset, detail));
        this.file = file;
        this.offset = offset;
    }

    /** Same as {@link #ModelFormatException(Path, long, String)}, keeping the underlying cause. */
    public ModelFormatException(Path file, long offset, String detail, Throwable cause) {
        super(describe(file, offset, detail), cause);
        this.file = file;
        this.offset = offset;
    }

    private static String describe(Path file, long offset, String detail) {
        String where = file == null ? "<memory>" : file.toString();
        return offset >= 0 ? where + " @ byte " + offset + ": " + detail : where + ": " + detail;
    }

    /** The file being read, or {@code null} for an in-memory buffer. */
    public Path file() {
        return file;
    }

    /** Byte offset of the problem, or -1 when it has no single position. */
    public long offset() {
        return offset;
    }
}
