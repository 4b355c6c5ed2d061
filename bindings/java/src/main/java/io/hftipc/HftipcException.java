package io.hftipc;

import java.nio.file.Path;

/**
 * A failed hftipc operation: carries the C status code and name, the channel path and the
 * operation.
 *
 * <p>The binding's exceptions are unchecked ({@link RuntimeException}): the hot paths
 * ({@code offer}, {@code poll}) report "full" and "empty" as plain return values, so an exception
 * only means misuse of the API or a broken channel file, which callers rarely handle locally.
 * Subclasses group the statuses a caller may want to tell apart:
 *
 * <ul>
 *   <li>{@link ChannelFormatException}: a malformed channel file
 *   <li>{@link ChannelCorruptException}: shared state out of range
 *   <li>{@link ChannelBusyException}: the role is held by another live process; its subclass
 *       {@link ChannelNoFenceException}: a takeover refused because the stale holder cannot
 *       be stopped
 *   <li>{@link ChannelNotFoundException}, {@link ChannelExistsException},
 *       {@link ChannelMismatchException}: open, create and open-or-create outcomes
 *   <li>{@link MessageTooBigException}, {@link BufferTooSmallException}: sizes
 *   <li>{@link ChannelLappedException}: an observer was overtaken
 *   <li>{@link ChannelFencedException}: another process took this handle's role over
 * </ul>
 *
 * Everything else (permission denied, system errors, invalid arguments) is a plain
 * {@code HftipcException}.
 */
public class HftipcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The C status code. */
    private final int status;
    /** The symbolic status name. */
    private final String statusName;
    /** The channel file; not serialized. */
    private final transient Path path;
    /** The failed operation. */
    private final String operation;

    /**
     * @param status the C status code (negative)
     * @param operation the failed operation, such as {@code "open"}
     * @param path the channel file, or null
     * @param detail extra text for the message, or null
     */
    public HftipcException(int status, String operation, Path path, String detail) {
        super(format(status, operation, path, detail));
        this.status = status;
        this.statusName = safeName(status);
        this.path = path;
        this.operation = operation;
    }

    private static String safeName(int status) {
        try {
            return Status.name(status);
        } catch (LinkageError e) {
            return "HFTIPC_E?";
        }
    }

    private static String format(int status, String operation, Path path, String detail) {
        String desc;
        try {
            desc = Status.describe(status);
        } catch (LinkageError e) {
            desc = "status " + status;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(operation);
        if (path != null) {
            sb.append(' ').append(path);
        }
        sb.append(": ").append(safeName(status)).append(" (").append(desc).append(')');
        if (detail != null) {
            sb.append(": ").append(detail);
        }
        return sb.toString();
    }

    /** @return the C status code, one of the {@link Status} constants */
    public int getStatus() {
        return status;
    }

    /** @return the symbolic status name, such as {@code "HFTIPC_EBADMAGIC"} */
    public String getStatusName() {
        return statusName;
    }

    /** @return the channel file the operation was on, or null */
    public Path getPath() {
        return path;
    }

    /** @return the failed operation, such as {@code "open"} or {@code "offer"} */
    public String getOperation() {
        return operation;
    }

    /** Builds the exception subclass that matches {@code status}. */
    static HftipcException of(int status, String operation, Path path, String detail) {
        if (Status.isFormat(status)) {
            return new ChannelFormatException(status, operation, path, detail);
        }
        switch (status) {
            case Status.ECORRUPT:
                return new ChannelCorruptException(status, operation, path, detail);
            case Status.EBUSY:
                return new ChannelBusyException(status, operation, path, detail);
            case Status.ENOENT:
                return new ChannelNotFoundException(status, operation, path, detail);
            case Status.EEXIST:
                return new ChannelExistsException(status, operation, path, detail);
            case Status.EMISMATCH:
                return new ChannelMismatchException(status, operation, path, detail);
            case Status.ETOOBIG:
                return new MessageTooBigException(status, operation, path, detail);
            case Status.EBUFSIZE:
                return new BufferTooSmallException(status, operation, path, detail, -1);
            case Status.ELAPPED:
                return new ChannelLappedException(status, operation, path, detail);
            case Status.EFENCED:
                return new ChannelFencedException(status, operation, path, detail);
            case Status.ENOFENCE:
                return new ChannelNoFenceException(status, operation, path, detail);
            default:
                return new HftipcException(status, operation, path, detail);
        }
    }
}
