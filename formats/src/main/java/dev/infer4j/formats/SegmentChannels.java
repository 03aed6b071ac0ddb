package dev.infer4j.formats;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/** Writing memory segments of any kind (mapped, native, or over any heap array) to a channel. */
public final class SegmentChannels {
    private static final int CHUNK = 1 << 20;

    private SegmentChannels() {
    }

    /**
     * Writes all of {@code segment}. Segments over heap arrays other than {@code byte[]} cannot be viewed as a
     * ByteBuffer, so everything goes through a reused chunk buffer; the copy is cheap next to the disk write.
     */
    public static void writeFully(WritableByteChannel channel, MemorySegment segment) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.min(CHUNK, Math.max(1, segment.byteSize())));
        MemorySegment window = MemorySegment.ofBuffer(chunk);
        for (long done = 0; done < segment.byteSize(); ) {
            int n = (int) Math.min(chunk.capacity(), segment.byteSize() - done);
            MemorySegment.copy(segment, done, window, 0, n);
            chunk.clear().limit(n);
            while (chunk.hasRemaining()) {
                channel.write(chunk);
            }
            done += n;
        }
    }

    /** Writes all of {@code buffer}. */
    public static void writeFully(WritableByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
