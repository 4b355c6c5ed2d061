package io.hftipc;

import java.nio.file.Path;

/** A message is larger than the slot payload ({@code HFTIPC_ETOOBIG}); nothing was written. */
public class MessageTooBigException extends HftipcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param status the C status code
     * @param operation the failed operation
     * @param path the channel file, or null
     * @param detail extra text, or null
     */
    public MessageTooBigException(int status, String operation, Path path, String detail) {
        super(status, operation, path, detail);
    }
}
