package io.hftipc;

import java.nio.file.Path;

/** No channel file at the path, or its directory does not exist ({@code HFTIPC_ENOENT}). */
public class ChannelNotFoundException extends HftipcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param status the C status code
     * @param operation the failed operation
     * @param path the channel file, or null
     * @param detail extra text, or null
     */
    public ChannelNotFoundException(int status, String operation, Path path, String detail) {
        super(status, operation, path, detail);
    }
}
