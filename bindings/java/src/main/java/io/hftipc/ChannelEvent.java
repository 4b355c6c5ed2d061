package io.hftipc;

/**
 * A change in a watched directory, as {@link ChannelWatch#poll(java.time.Duration)} reports it.
 *
 * @param kind what happened
 * @param entry the entry now; for {@link Kind#REMOVED}, as it was last seen
 */
public record ChannelEvent(Kind kind, ChannelEntry entry) {
    /** What an event reports. */
    public enum Kind {
        /** The name appeared, or was present when the watch started. */
        ADDED,
        /** Its validity, file, geometry or a role holder (pid, liveness, epoch) changed. */
        CHANGED,
        /** The name is gone. */
        REMOVED;

        static Kind fromCode(long code) {
            return code == 1 ? ADDED : code == 2 ? CHANGED : REMOVED;
        }
    }
}
