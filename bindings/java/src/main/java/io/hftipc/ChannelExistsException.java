package io.hftipc;

import java.nio.file.Path;

/** Create refused: the path already exists ({@code HFTIPC_EEXIST}). */
public class ChannelExistsException extends HftipcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param status the C status code
     * @param operation the failed operation
     * @param path the channel file, or null
     * @param detail extra text, or null
     */
    public ChannelExistsException(int status, String operation, Path path, String detail) {
        super(status, operation, path, detail);
    }
}
