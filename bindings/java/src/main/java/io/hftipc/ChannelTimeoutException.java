package io.hftipc;

import java.nio.file.Path;

/**
 * {@link Channel#openWait(Path, Role, java.time.Duration)}: the channel was still missing or
 * not initialised when the timeout passed ({@code HFTIPC_ETIMEDOUT}).
 */
public class ChannelTimeoutException extends HftipcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param status the C status code
     * @param operation the failed operation
     * @param path the channel file, or null
     * @param detail extra text, or null
     */
    public ChannelTimeoutException(int status, String operation, Path path, String detail) {
        super(status, operation, path, detail);
    }
}
