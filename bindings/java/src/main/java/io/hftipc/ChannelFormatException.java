package io.hftipc;

import java.nio.file.Path;

/** The file is not a valid channel file: truncated or empty ({@code HFTIPC_ETRUNCATED}), bad magic, unsupported version or incompat flag, capacity, slot size, header size, mode, too large, size mismatch, or never finished initialisation ({@code HFTIPC_ENOTREADY}). The file was not modified. */
public class ChannelFormatException extends HftipcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param status the C status code
     * @param operation the failed operation
     * @param path the channel file, or null
     * @param detail extra text, or null
     */
    public ChannelFormatException(int status, String operation, Path path, String detail) {
        super(status, operation, path, detail);
    }
}
