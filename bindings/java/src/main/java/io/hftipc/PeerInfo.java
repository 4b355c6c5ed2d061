package io.hftipc;

/**
 * The holder of the producer or consumer role.
 *
 * @param pid process id of the holder, 0 when the role is free
 * @param liveness whether that process is alive
 * @param epoch number of holders the role has had so far
 * @param takeovers times the role was taken over (from a dead holder, or from a stale one by
 *     {@link Channel#openTakeover})
 * @param heartbeatNanos the holder's last sign of life: a raw {@code CLOCK_MONOTONIC} reading
 *     in nanoseconds, written by the holder's process (at open, by {@link Channel#heartbeat()},
 *     and while it sleeps in a blocking call); 0 when unknown (a file written by an older
 *     library). It is <b>not</b> {@link System#nanoTime()} (whose origin is arbitrary) nor wall
 *     clock time: compare it only with other {@code CLOCK_MONOTONIC} readings on the same machine,
 *     for example with another {@code PeerInfo}'s value or a later snapshot of this one
 * @param waiting true while the holder sleeps in a blocking call (the producer for a free slot,
 *     the consumer for a message); a momentary snapshot
 */
public record PeerInfo(
        int pid,
        Liveness liveness,
        long epoch,
        long takeovers,
        long heartbeatNanos,
        boolean waiting) {}
