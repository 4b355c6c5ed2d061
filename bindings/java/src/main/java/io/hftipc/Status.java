package io.hftipc;

/**
 * The pinned status codes of the C library ({@code hftipc_status_t}), as carried by
 * {@link HftipcException#getStatus()}. Values never change meaning between releases.
 */
public final class Status {
    private Status() {}

    /** Success. */
    public static final int OK = 0;
    /** The ring has no free slot (a plain {@code false} from {@code offer}, never thrown). */
    public static final int EFULL = -1;
    /** No message to consume (a plain {@code -1} from {@code poll}, never thrown). */
    public static final int EEMPTY = -2;
    /** Message larger than the slot payload. */
    public static final int ETOOBIG = -3;
    /** Receive buffer too small for the message; nothing consumed. */
    public static final int EBUFSIZE = -4;
    /** Invalid argument. */
    public static final int EINVAL = -5;
    /** Operation not permitted for the handle's role. */
    public static final int EROLE = -6;
    /** The role is held by another live process. */
    public static final int EBUSY = -7;
    /** The path already exists. */
    public static final int EEXIST = -8;
    /** No such file or directory. */
    public static final int ENOENT = -9;
    /** The existing file's geometry differs from the configuration. */
    public static final int EMISMATCH = -10;
    /** Shared state out of range: cursor or slot length. */
    public static final int ECORRUPT = -11;
    /** File shorter than the header (includes an empty file). */
    public static final int ETRUNCATED = -12;
    /** Not a channel file: magic bytes differ. */
    public static final int EBADMAGIC = -13;
    /** Format major version not supported. */
    public static final int EVERSION = -14;
    /** An unknown incompat feature flag is set. */
    public static final int EINCOMPAT = -15;
    /** Capacity zero, not a power of two, or above the limit. */
    public static final int ECAPACITY = -16;
    /** Slot size out of range or not a multiple of 8. */
    public static final int ESLOTSIZE = -17;
    /** Header size field invalid. */
    public static final int EHEADERSIZE = -18;
    /** Unknown channel mode. */
    public static final int EMODE = -19;
    /** Capacity x slot size exceeds the file size limit. */
    public static final int ETOOLARGE = -20;
    /** File size disagrees with the header's geometry. */
    public static final int ESIZE = -21;
    /** Header never finished initialisation. */
    public static final int ENOTREADY = -22;
    /** No space left to size the file. */
    public static final int ENOSPC = -23;
    /** Permission denied. */
    public static final int EACCES = -24;
    /** Path is a symlink, directory or other non-regular file. */
    public static final int ENOTFILE = -25;
    /** Another system call failed; see the errno in the message. */
    public static final int ESYSTEM = -26;
    /** Out of memory or address space. */
    public static final int ENOMEM = -27;
    /** Observer overtaken by the producer. */
    public static final int ELAPPED = -28;
    /** Commit or abort of a claim that is not outstanding. */
    public static final int ESTATE = -29;
    /** A blocking call's timeout passed first. */
    public static final int ETIMEDOUT = -30;
    /** Another process took this handle's role over; the handle is dead. */
    public static final int EFENCED = -31;
    /**
     * Takeover refused: the stale holder may still be writing and cannot be stopped (another user
     * or pid namespace); retry, or force it.
     */
    public static final int ENOFENCE = -32;
    /**
     * The file has unallocated holes, which an observer cannot map safely; open it once as
     * producer or consumer to allocate them.
     */
    public static final int ESPARSE = -33;
    /**
     * The channel was retired ({@link Channel#remove}), or its path no longer names this file
     * (removed or replaced); open the path again.
     */
    public static final int ESTALE = -34;

    /** The most negative status this binding knows. */
    static final int MIN = -34;

    /**
     * @param status a status code
     * @return its symbolic name, such as {@code "HFTIPC_EFULL"}, from the loaded native library
     */
    public static String name(int status) {
        return hftipc.hftipc_err_name(status);
    }

    /**
     * @param status a status code
     * @return its description, from the loaded native library
     */
    public static String describe(int status) {
        return hftipc.hftipc_strerror(status);
    }

    /** @return true for the statuses that describe a malformed channel file */
    static boolean isFormat(int status) {
        return status <= ETRUNCATED && status >= ENOTREADY;
    }
}
