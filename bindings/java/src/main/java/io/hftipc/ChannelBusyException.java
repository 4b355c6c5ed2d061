package io.hftipc;

import java.nio.file.Path;

/** The requested role is held by another live process ({@code HFTIPC_EBUSY}). */
public class ChannelBusyException extends HftipcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param status the C status code
     * @param operation the failed operation
     * @param path the channel file, or null
     * @param detail extra text, or null
     */
    public ChannelBusyException(int status, String operation, Path path, String detail) {
        super(status, operation, path, detail);
    }
}
