package io.hftipc;

/**
 * A decoded, validated view of a channel file's header, as returned by
 * {@link Channel#inspect(java.nio.file.Path)}.
 *
 * @param formatMajor file format major version
 * @param formatMinor file format minor version
 * @param compatFlags compatible feature flags
 * @param incompatFlags incompatible feature flags
 * @param capacity number of slots
 * @param slotSize bytes per slot, including the 8-byte slot header
 * @param maxPayload largest message, {@code slotSize - 8}
 * @param mode concurrency mode
 * @param fileSize size of the file in bytes
 * @param createdEpochNanos creation time, nanoseconds since the Unix epoch
 * @param creatorPid process that created the file
 * @param creatorVersion library version number ({@code major*10000+minor*100+patch}) of the
 *     creator
 * @param stats cursors, counters and role holders
 */
public record ChannelInfo(
        int formatMajor,
        int formatMinor,
        long compatFlags,
        long incompatFlags,
        int capacity,
        int slotSize,
        int maxPayload,
        ChannelMode mode,
        long fileSize,
        long createdEpochNanos,
        int creatorPid,
        int creatorVersion,
        ChannelStats stats) {

    static ChannelInfo fromNative(long[] v) {
        return new ChannelInfo(
                (int) v[0],
                (int) v[1],
                v[2],
                v[3],
                (int) v[4],
                (int) v[5],
                (int) v[6],
                ChannelMode.fromCode((int) v[7]),
                v[8],
                v[13],
                (int) v[14],
                (int) v[15],
                ChannelStats.fromNative(v));
    }

    /** @return producers holding the role, as {@link ChannelStats#producerCount()} */
    public int producerCount() {
        return stats.producerCount();
    }

    /** @return abandoned MPSC claims the consumer skipped, as {@link ChannelStats#abandoned()} */
    public long abandoned() {
        return stats.abandoned();
    }

    /** @return aborted MPSC claims the consumer passed over, as {@link ChannelStats#aborted()} */
    public long aborted() {
        return stats.aborted();
    }
}
