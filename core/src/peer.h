/* Role holders and liveness (docs/FORMAT.md, "Role holders"). */
#ifndef HFTIPC_PEER_H
#define HFTIPC_PEER_H

#include <stdint.h>

#include "format.h"
#include "hftipc.h"
#include "platform/platform.h"

/* This process's identity: pid | (start time in clock ticks since boot << 22). */
uint64_t hftipc__self_owner(void);

/* Inode of this process's pid namespace, 0 when unknown. */
uint64_t hftipc__self_pidns(void);

/* Liveness of the process described by an owner word and its pid namespace. */
hftipc_liveness_t hftipc__owner_liveness(uint64_t owner, uint64_t owner_pidns);

/* Claims the role for `self`: free, held by a dead process, or (when stale_after_ns >= 0) held
 * by a process whose heartbeat is older than that (a takeover: before it returns HFTIPC_OK the
 * old holder is proven idle and fenced, or ended; docs/FORMAT.md, "Fencing"). HFTIPC_EBUSY when
 * a live process, or this process through another handle, holds it; HFTIPC_ENOFENCE when a
 * stale holder can be neither proven idle nor ended and `flags` lacks HFTIPC_TAKEOVER_FORCE.
 * `chan` is the channel file: a holder is ended only if its process maps that file. */
int hftipc__holder_acquire(hftipc__holder *h, uint64_t self, uint64_t self_pidns, uint64_t now_ns,
                           int64_t stale_after_ns, uint32_t flags, const hftipc__os_file *chan);

/* Is the record held by a dead process, or (stale_after_ns >= 0) by one whose heartbeat is
 * older than that? 0 for a free record. */
int hftipc__holder_is_stale(const hftipc__holder *h, int64_t stale_after_ns);

/* Releases the role if `self` still holds it. */
void hftipc__holder_release(hftipc__holder *h, uint64_t self);

static inline uint32_t hftipc__owner_pid(uint64_t owner)
{
    return (uint32_t)(owner & HFTIPC__OWNER_PID_MASK);
}

#endif
