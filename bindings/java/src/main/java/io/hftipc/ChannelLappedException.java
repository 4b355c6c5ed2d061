package io.hftipc;

import java.nio.file.Path;

/** An observer was overtaken by the producer and skipped ahead to the oldest unconsumed message ({@code HFTIPC_ELAPPED}); the messages in between were not seen by this observer. The observer stays usable. */
public class ChannelLappedException extends HftipcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param status the C status code
     * @param operation the failed operation
     * @param path the channel file, or null
     * @param detail extra text, or null
     */
    public ChannelLappedException(int status, String operation, Path path, String detail) {
        super(status, operation, path, detail);
    }
}
