package io.hftipc;

/** Concurrency mode of a channel, fixed when the file is created. */
public enum ChannelMode {
    /** One producer, one consumer. */
    SPSC(1);

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
