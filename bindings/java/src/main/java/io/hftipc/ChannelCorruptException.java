package io.hftipc;

import java.nio.file.Path;

/** Shared state out of range ({@code HFTIPC_ECORRUPT}): a cursor or a slot length written by a peer is impossible. A consumer may skip a corrupt slot with {@link Channel#ack()}. */
public class ChannelCorruptException extends HftipcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param status the C status code
     * @param operation the failed operation
     * @param path the channel file, or null
     * @param detail extra text, or null
     */
    public ChannelCorruptException(int status, String operation, Path path, String detail) {
        super(status, operation, path, detail);
    }
}
