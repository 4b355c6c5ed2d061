package io.hftipc;

/** The part a {@link Channel} handle plays on a channel file. */
public enum Role {
    /**
     * Publishes messages. At most one live producer per {@link ChannelMode#SPSC} channel, up to
     * {@link ChannelMode#MAX_PRODUCERS} per {@link ChannelMode#MPSC} channel.
     */
    PRODUCER(1),
    /** Consumes and acknowledges messages. At most one live consumer per SPSC channel. */
    CONSUMER(2),
    /**
     * Reads messages without consuming them, through a read-only mapping; any number of observers
     * may attach. An observer starts at the newest message and may be overtaken by the producer
     * ({@link ChannelLappedException}).
     */
    OBSERVER(3);

    final int code;

    Role(int code) {
        this.code = code;
    }

    static Role fromCode(int code) {
        for (Role r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role code " + code);
    }
}
