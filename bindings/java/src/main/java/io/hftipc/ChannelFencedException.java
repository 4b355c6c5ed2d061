package io.hftipc;

import java.nio.file.Path;

/**
 * Another process took this handle's role over ({@code HFTIPC_EFENCED}), typically with
 * {@link Channel#openTakeover(Path, Role, java.time.Duration)} after this process stopped
 * showing signs of life. The handle is dead: every further operation fails the same way and it
 * can publish or consume nothing more. {@link Channel#close()} it (closing does not disturb the
 * new holder) and open the channel again if needed.
 */
public class ChannelFencedException extends HftipcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param status the C status code
     * @param operation the failed operation
     * @param path the channel file, or null
     * @param detail extra text, or null
     */
    public ChannelFencedException(int status, String operation, Path path, String detail) {
        super(status, operation, path, detail);
    }
}
