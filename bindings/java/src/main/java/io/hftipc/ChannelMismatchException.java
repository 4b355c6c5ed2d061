package io.hftipc;

import java.nio.file.Path;

/** Open-or-create found a channel whose capacity, slot size or mode differs from the configuration ({@code HFTIPC_EMISMATCH}). */
public class ChannelMismatchException extends HftipcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param status the C status code
     * @param operation the failed operation
     * @param path the channel file, or null
     * @param detail extra text, or null
     */
    public ChannelMismatchException(int status, String operation, Path path, String detail) {
        super(status, operation, path, detail);
    }
}
