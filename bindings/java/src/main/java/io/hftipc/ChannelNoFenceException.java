package io.hftipc;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A takeover was refused ({@code HFTIPC_ENOFENCE}): the role's holder is stale, but it can be
 * neither proven idle nor ended, because it runs as another user or in another pid namespace,
 * so it might still write. The role stays with it. A {@link ChannelBusyException}, since the
 * role is held, so code that retries on busy keeps working; retry later, or take the role with
 * {@link TakeoverOption#FORCE} (see
 * {@link Channel#openTakeover(Path, Role, Duration, TakeoverOption...)} for what that allows).
 */
public class ChannelNoFenceException extends ChannelBusyException {
    private static final long serialVersionUID = 1L;

    /**
     * @param status the C status code
     * @param operation the failed operation
     * @param path the channel file, or null
     * @param detail extra text, or null
     */
    public ChannelNoFenceException(int status, String operation, Path path, String detail) {
        super(status, operation, path, detail);
    }
}
