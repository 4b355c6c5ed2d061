package io.hftipc;

/**
 * A momentary snapshot of a channel's cursors, counters and role holders.
 *
 * @param head messages ever published
 * @param tail messages ever consumed
 * @param backlog {@code head - tail}: published, not yet consumed
 * @param fullCount sends refused because the ring was full
 * @param producer the producer role's holder, with its heartbeat and whether it is waiting
 * @param consumer the consumer role's holder, with its heartbeat and whether it is waiting
 * @param producerCount producers holding the role: 0 or 1 for SPSC, up to {@link
 *     ChannelMode#MAX_PRODUCERS} for MPSC (whose {@code producer} is the first record in use)
 * @param abandoned MPSC: claimed slots the consumer skipped because their producer died (or
 *     closed, or was taken over) between {@code claim} and {@code commit}; always 0 for SPSC
 * @param aborted MPSC: skip records of aborted claims ({@link Channel#abort(long)}) the
 *     consumer passed over; always 0 for SPSC, whose aborted claims leave no trace
 */
public record ChannelStats(
        long head,
        long tail,
        long backlog,
        long fullCount,
        PeerInfo producer,
        PeerInfo consumer,
        int producerCount,
        long abandoned,
        long aborted) {

    static ChannelStats fromNative(long[] v) {
        return new ChannelStats(
                v[Channel.I_HEAD],
                v[Channel.I_TAIL],
                v[Channel.I_BACKLOG],
                v[Channel.I_FULL],
                new PeerInfo((int) v[16], Liveness.fromCode(v[17]), v[18], v[19], v[24], v[26] != 0),
                new PeerInfo((int) v[20], Liveness.fromCode(v[21]), v[22], v[23], v[25], v[27] != 0),
                (int) v[28],
                v[29],
                v[30]);
    }
}
