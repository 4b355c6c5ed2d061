package io.hftipc;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Options of {@link Channel#openTakeover(Path, Role, Duration, TakeoverOption...)}.
 */
public enum TakeoverOption {
    /**
     * Take the role even when the stale holder can be neither proven idle nor ended (it runs as
     * another user or in another pid namespace), instead of throwing
     * {@link ChannelNoFenceException}. That holder may then still complete the one operation it
     * was inside when it resumes; every later operation of it throws
     * {@link ChannelFencedException}.
     */
    FORCE(1); // HFTIPC_TAKEOVER_FORCE

    /** The bit in the native takeover flags. */
    final int flag;

    TakeoverOption(int flag) {
        this.flag = flag;
    }
}
