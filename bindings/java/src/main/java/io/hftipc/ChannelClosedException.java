package io.hftipc;

/** An operation was attempted on a {@link Channel} after {@link Channel#close()}. */
public class ChannelClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** @param message the detail message */
    public ChannelClosedException(String message) {
        super(message);
    }
}
