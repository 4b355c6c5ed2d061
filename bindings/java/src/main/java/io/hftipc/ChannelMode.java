package io.hftipc;

/** Concurrency mode of a channel, fixed when the file is created. */
public enum ChannelMode {
    /** One producer, one consumer. */
    SPSC(1),
    /**
     * Up to {@link #MAX_PRODUCERS} producers (processes, or handles in one process) and one
     * consumer (file format 1.1). Each producer's messages arrive in the order it sent them;
     * messages of different producers interleave in claim order. One more producer gets
     * {@link ChannelBusyException}.
     */
    MPSC(2);

    /** Producers an {@link #MPSC} channel admits at once ({@code HFTIPC_MPSC_MAX_PRODUCERS}). */
    public static final int MAX_PRODUCERS = 16;

    final int code;

    ChannelMode(int code) {
        this.code = code;
    }

    static ChannelMode fromCode(int code) {
        for (ChannelMode m : values()) {
            if (m.code == code) {
                return m;
            }
        }
        return null;
    }
}
