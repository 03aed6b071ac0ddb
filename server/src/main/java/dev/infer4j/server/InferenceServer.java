package dev.infer4j.server;

import dev.infer4j.server.backend.CompletionBackend;
import dev.infer4j.server.http.ServerChannelInitializer;
import dev.infer4j.server.http.ServerContext;
import dev.infer4j.server.metrics.ServerMetrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The OpenAI-compatible HTTP server over one {@link CompletionBackend}: {@code /v1/chat/completions},
 * {@code /v1/completions}, {@code /v1/models}, {@code /health}, {@code /metrics}, {@code /tokenize},
 * {@code /detokenize}.
 *
 * <p>Threads: one acceptor and {@link ServerConfig#ioThreads()} Netty event loops, plus virtual threads for request
 * preparation (chat rendering, tokenization). All of them end in {@link #close()}. The backend is not closed: its
 * owner closes it after the server.
 */
public final class InferenceServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(InferenceServer.class.getName());

    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final ExecutorService preparation;
    private final Channel serverChannel;
    private final ServerContext context;
    private final int port;

    private InferenceServer(EventLoopGroup acceptor, EventLoopGroup workers, ExecutorService preparation,
                            Channel serverChannel, ServerContext context) {
        this.acceptor = acceptor;
        this.workers = workers;
        this.preparation = preparation;
        this.serverChannel = serverChannel;
        this.context = context;
        this.port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException when the address cannot be bound
     */
    public static InferenceServer start(ServerConfig config, CompletionBackend backend) throws IOException {
        String modelName = config.modelAlias() != null ? config.modelAlias() : backend.model().id();
        ExecutorService preparation = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("infer4j-prepare-", 0).factory());
        ServerContext context = ServerContext.create(backend, modelName, config.apiKey(), config.requestTimeout(),
                config.maxQueuedRequests(), config.eventQueueSize(), preparation);
        EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("infer4j-accept"), NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(config.ioThreads(),
                new DefaultThreadFactory("infer4j-http"), NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(acceptor, workers)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ServerChannelInitializer(context, config.maxBodyBytes(), config.idleTimeout()))
                    .bind(config.host(), config.port())
                    .sync()
                    .channel();
            InferenceServer server = new InferenceServer(acceptor, workers, preparation, channel, context);
            LOG.log(Level.INFO, "serving model '" + modelName + "' on http://" + config.host() + ":" + server.port);
            return server;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdown(acceptor, workers, preparation);
            throw new IOException("interrupted while binding " + config.host() + ":" + config.port(), e);
        } catch (RuntimeException e) {
            shutdown(acceptor, workers, preparation);
            throw new IOException("cannot bind " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
    }

    /** The bound port (the chosen one when the configuration asked for 0). */
    public int port() {
        return port;
    }

    /** The server's metrics, as {@code /metrics} renders them. */
    public ServerMetrics metrics() {
        return context.metrics();
    }

    /**
     * Stops accepting, closes every connection (which cancels their generations) and waits for all server threads
     * to end.
     */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        shutdown(acceptor, workers, preparation);
    }

    private static void shutdown(EventLoopGroup acceptor, EventLoopGroup workers, ExecutorService preparation) {
        acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        preparation.shutdownNow();
        try {
            if (!preparation.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "request preparation threads did not end within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
