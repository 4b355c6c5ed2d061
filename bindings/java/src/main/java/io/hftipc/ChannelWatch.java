package io.hftipc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A watch on a directory's channels, from {@link Channels#watch(Path, Duration)}. Shaped like
 * {@link java.nio.file.WatchService}: {@link #poll(Duration)} and {@link #take()} return the
 * next event; {@link #close()}, from any thread, ends a {@code poll} or {@code take} in progress
 * with {@link ChannelClosedException}. Safe for use by several threads.
 */
public final class ChannelWatch implements AutoCloseable {
    private final SWIGTYPE_p_hftipc_watch_stct handle;
    private final Path dir;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object lock = new Object(); // held while the native watch is in use
    private boolean freed; // guarded by lock
    private final long[] fields = new long[ChannelEntry.FIELDS]; // guarded by lock

    ChannelWatch(SWIGTYPE_p_hftipc_watch_stct handle, Path dir) {
        this.handle = handle;
        this.dir = dir;
    }

    /** @return the watched directory */
    public Path directory() {
        return dir;
    }

    /**
     * Waits up to {@code timeout} for the next event. The native wait runs in slices of at most
     * 50 ms, so an interrupt is noticed within about that.
     *
     * @param timeout the longest wait; zero or negative looks once (one rescan)
     * @return the event, or null if none came in time
     * @throws InterruptedException if the thread is interrupted while waiting
     * @throws ChannelClosedException if the watch is or gets closed
     * @throws HftipcException if the directory cannot be read
     */
    public ChannelEvent poll(Duration timeout) throws InterruptedException {
        long t;
        try {
            t = timeout.toNanos();
        } catch (ArithmeticException e) {
            t = timeout.isNegative() ? 0 : Long.MAX_VALUE;
        }
        long deadline = System.nanoTime() + Math.max(t, 0);
        boolean forever = t >= Long.MAX_VALUE / 2;
        synchronized (lock) {
            while (true) {
                if (freed || closed.get()) {
                    throw new ChannelClosedException("watch " + dir + " is closed");
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                long left = forever ? Channel.WAIT_SLICE_NANOS : deadline - System.nanoTime();
                long slice = Math.max(0, Math.min(left, Channel.WAIT_SLICE_NANOS));
                byte[] name = hftipc.hj_watch_next(handle, slice, fields);
                if (name != null) {
                    ChannelEntry e = ChannelEntry.fromNative(dir, Channels.decodeName(name), fields);
                    return new ChannelEvent(ChannelEvent.Kind.fromCode(fields[2]), e);
                }
                int rc = (int) fields[0];
                if (rc == 0) {
                    throw new ChannelClosedException("watch " + dir + " is closed");
                }
                if (rc != Status.ETIMEDOUT) {
                    throw HftipcException.of(rc, "watch", dir, null);
                }
                if (!forever && left <= Channel.WAIT_SLICE_NANOS) {
                    return null;
                }
            }
        }
    }

    /**
     * Waits for the next event, without limit.
     *
     * @return the event
     * @throws InterruptedException if the thread is interrupted while waiting
     * @throws ChannelClosedException if the watch is or gets closed
     * @throws HftipcException if the directory cannot be read
     */
    public ChannelEvent take() throws InterruptedException {
        return poll(Duration.ofSeconds(Long.MAX_VALUE));
    }

    /**
     * Stops the watch, ending a {@code poll} or {@code take} in progress in another thread, and
     * frees it. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Safe without the lock (async-signal-safe in C): wakes a native wait in progress.
        hftipc.hftipc_watch_stop(handle);
        synchronized (lock) {
            hftipc.hftipc_watch_close(handle);
            freed = true;
        }
    }
}
