/* Discovery internals shared with the bindings (docs/DISCOVERY.md). The public calls are in
 * hftipc.h; this adds the hook a binding needs to cancel a wait from another thread. */
#ifndef HFTIPC_DISCOVER_H
#define HFTIPC_DISCOVER_H

#include <stdint.h>

#include "hftipc.h"

/* hftipc_channel_open_wait(), also ending with HFTIPC_ETIMEDOUT as soon as `cancel_fd` (a pipe
 * or eventfd the caller owns; -1 for none) is readable. The Go binding maps a cancelled
 * context onto it: cgo cannot interrupt a C call, but it can write to a pipe. */
int hftipc__channel_open_wait_cancel(const char *path, hftipc_role_t role, int64_t timeout_ns,
                                     int cancel_fd, hftipc_channel_t **out);

#endif
