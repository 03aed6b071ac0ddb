package dev.infer4j.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A plain socket to the server, for what an HTTP client library will not do (trickle, garbage, hang up). */
final class RawConnection implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawConnection(int port) {
        try {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(5000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RawConnection write(String text) {
        return write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawConnection write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Reads until {@code marker} has arrived; returns everything read. */
    String readUntil(String marker) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try {
            while (!got.toString(StandardCharsets.UTF_8).contains(marker)) {
                int b = in.read();
                if (b < 0) {
                    throw new AssertionError("connection closed before '" + marker + "'; got:\n" + got);
                }
                got.write(b);
            }
        } catch (IOException e) {
            throw new AssertionError("no '" + marker + "' (" + e + "); got:\n" + got, e);
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    /** Reads until the server closes the connection (or 5 s pass); returns everything read. */
    String readToClose() {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try {
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection; got:\n" + got, e);
        } catch (IOException e) {
            // a reset counts as closed
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    /** Whether the server has closed the connection, waiting up to the read timeout. */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
