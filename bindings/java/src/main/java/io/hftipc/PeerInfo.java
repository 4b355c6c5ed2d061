package io.hftipc;

/**
 * The holder of the producer or consumer role.
 *
 * @param pid process id of the holder, 0 when the role is free
 * @param liveness whether that process is alive
 * @param epoch number of holders the role has had so far
 * @param takeovers times the role was taken over from a dead holder
 */
public record PeerInfo(int pid, Liveness liveness, long epoch, long takeovers) {}
