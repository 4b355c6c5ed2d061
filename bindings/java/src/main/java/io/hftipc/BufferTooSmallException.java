package io.hftipc;

import java.nio.file.Path;

/**
 * The destination buffer is too small for the next message ({@code HFTIPC_EBUFSIZE}); nothing was
 * consumed, so a retry with a larger buffer receives it.
 */
public class BufferTooSmallException extends HftipcException {
    private static final long serialVersionUID = 1L;

    /** Length of the message that did not fit, or -1. */
    private final int required;

    /**
     * @param status the C status code
     * @param operation the failed operation
     * @param path the channel file, or null
     * @param detail extra text, or null
     * @param required the size of the message, or -1 if unknown
     */
    public BufferTooSmallException(
            int status, String operation, Path path, String detail, int required) {
        super(status, operation, path, detail);
        this.required = required;
    }

    /** @return the length of the message that did not fit, or -1 if unknown */
    public int getRequired() {
        return required;
    }
}
