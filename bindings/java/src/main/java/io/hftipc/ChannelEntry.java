package io.hftipc;

import java.nio.file.Path;

/**
 * One name in a directory, examined as {@link Channel#inspect(Path)} would, without following a
 * symlink, opening a FIFO, modifying anything or taking a role.
 *
 * @param name the name within the directory
 * @param path the directory resolved against {@code name}
 * @param type what the name is
 * @param status {@link Status#OK} for a valid channel file; otherwise the {@link Status} code
 *     saying why it is not one ({@link Status#ENOTFILE} for anything but a regular file)
 * @param inode the file's inode: a different inode under the same name is a different file
 * @param size the file's actual size in bytes; 0 for entries that are not regular files
 * @param info the decoded channel (for an invalid file, the fields decoded before the failing
 *     check); null for entries that are not regular files
 */
public record ChannelEntry(
        String name, Path path, EntryType type, int status, long inode, long size, ChannelInfo info) {

    /* Layout of the long[] the native helpers fill: five entry fields, then the info fields. */
    static final int FIELDS = 5 + Channel.INFO_FIELDS;

    static ChannelEntry fromNative(Path dir, String name, long[] v) {
        EntryType type = EntryType.fromCode(v[1]);
        ChannelInfo info = null;
        if (type == EntryType.FILE) {
            long[] i = new long[Channel.INFO_FIELDS];
            System.arraycopy(v, 5, i, 0, i.length);
            info = ChannelInfo.fromNative(i);
        }
        return new ChannelEntry(name, dir.resolve(name), type, (int) v[0], v[3], v[4], info);
    }

    /** @return true if the entry is a channel file that passed validation */
    public boolean isValid() {
        return status == Status.OK;
    }

    /** @return the symbolic name of {@link #status()}, such as {@code "HFTIPC_EBADMAGIC"} */
    public String statusName() {
        return Status.name(status);
    }
}
