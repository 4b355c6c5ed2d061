package io.hftipc;

/** What a directory entry is, as {@link Channels#list(java.nio.file.Path)} reports it. */
public enum EntryType {
    /** A regular file: a channel when {@link ChannelEntry#isValid()}. */
    FILE(1),
    /** A symbolic link; never followed. */
    SYMLINK(2),
    /** A subdirectory. */
    DIRECTORY(3),
    /** A FIFO, socket or device; never opened. */
    OTHER(4);

    final int code;

    EntryType(int code) {
        this.code = code;
    }

    static EntryType fromCode(long code) {
        for (EntryType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return OTHER;
    }
}
