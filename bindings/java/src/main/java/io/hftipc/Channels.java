package io.hftipc;

import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Discovery: the channel files of a directory.
 *
 * <pre>{@code
 * for (ChannelEntry e : Channels.list(Path.of("/dev/shm/feeds"))) {
 *     if (e.isValid()) {
 *         System.out.println(e.name() + " " + e.info().mode() + " " + e.info().stats().backlog());
 *     }
 * }
 * try (ChannelWatch watch = Channels.watch(Path.of("/dev/shm/feeds"))) {
 *     ChannelEvent ev = watch.take();   // every existing entry first, as ADDED
 * }
 * }</pre>
 */
public final class Channels {
    /* File names are bytes; the JVM decodes them with this charset (as java.io.File does). */
    private static final Charset FILE_NAMES =
            Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

    private Channels() {}

    /**
     * Lists every name in {@code dir}, sorted by name ("." and ".." left out), with what it
     * holds: a file that fails validation is an entry with its status, not an exception.
     * Nothing is modified and no role is taken.
     *
     * @param dir the directory
     * @return the entries
     * @throws ChannelNotFoundException if the directory does not exist
     * @throws HftipcException if it is not a directory ({@link Status#ENOTFILE}) or cannot be
     *     read
     */
    public static List<ChannelEntry> list(Path dir) {
        Objects.requireNonNull(dir, "dir");
        int[] status = new int[2];
        SWIGTYPE_p_hftipc_dir_stct d = hftipc.hj_dir_open(dir.toString(), status);
        if (d == null) {
            throw HftipcException.of(status[0], "list", dir, errnoDetail(status[1]));
        }
        try {
            List<ChannelEntry> out = new ArrayList<>();
            long[] v = new long[ChannelEntry.FIELDS];
            while (true) {
                byte[] name = hftipc.hj_dir_next(d, v);
                if (name == null) {
                    if (v[0] != 0) {
                        throw HftipcException.of((int) v[0], "list", dir, null);
                    }
                    return out;
                }
                out.add(ChannelEntry.fromNative(dir, decodeName(name), v));
            }
        } finally {
            hftipc.hftipc_dir_close(d);
        }
    }

    /**
     * Watches {@code dir}, rescanning it at least every 100 ms (see {@link #watch(Path,
     * Duration)}).
     *
     * @param dir the directory
     * @return the watch; close it when done
     * @throws ChannelNotFoundException if the directory does not exist
     * @throws HftipcException for other failures
     */
    public static ChannelWatch watch(Path dir) {
        return watch(dir, Duration.ZERO);
    }

    /**
     * Watches {@code dir} for channels that appear, change (validity, file, geometry, a role
     * holder's pid, liveness or epoch) or disappear. Every entry present now is reported first,
     * as {@link ChannelEvent.Kind#ADDED}. The directory is rescanned when inotify reports a
     * change and at every {@code rescanInterval}, since a process that dies changes no file.
     *
     * @param dir the directory
     * @param rescanInterval the longest time between two rescans; zero means 100 ms; at least
     *     1 ms otherwise
     * @return the watch; close it when done
     * @throws ChannelNotFoundException if the directory does not exist
     * @throws IllegalArgumentException if {@code rescanInterval} is negative or below 1 ms
     * @throws HftipcException for other failures
     */
    public static ChannelWatch watch(Path dir, Duration rescanInterval) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(rescanInterval, "rescanInterval");
        if (rescanInterval.isNegative()
                || (!rescanInterval.isZero() && rescanInterval.compareTo(Duration.ofMillis(1)) < 0)) {
            throw new IllegalArgumentException("rescanInterval must be zero or at least 1 ms");
        }
        long nanos = rescanInterval.compareTo(Duration.ofDays(365)) > 0
                ? Duration.ofDays(365).toNanos()
                : rescanInterval.toNanos();
        int[] status = new int[2];
        SWIGTYPE_p_hftipc_watch_stct w = hftipc.hj_watch_open(dir.toString(), nanos, 0, status);
        if (w == null) {
            throw HftipcException.of(status[0], "watch", dir, errnoDetail(status[1]));
        }
        return new ChannelWatch(w, dir);
    }

    static String decodeName(byte[] name) {
        return new String(name, FILE_NAMES);
    }

    private static String errnoDetail(int errno) {
        return errno != 0 ? "errno " + errno : null;
    }
}
