package io.hftipc;

/** Liveness of a role holder, as seen from the calling process. */
public enum Liveness {
    /** Nobody holds the role. */
    NONE,
    /** The holder's process exists (same pid and start time). */
    ALIVE,
    /** The holder's process is gone; the role can be taken over. */
    DEAD,
    /** The holder lives in another pid namespace, or liveness was not checked. */
    UNKNOWN;

    static Liveness fromCode(long code) {
        return code >= 0 && code < 4 ? values()[(int) code] : UNKNOWN;
    }
}
