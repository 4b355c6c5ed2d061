/* Role holders and liveness (docs/FORMAT.md, "Role holders"). */
#ifndef HFTIPC_PEER_H
#define HFTIPC_PEER_H

#include <stdint.h>

#include "format.h"
#include "hftipc.h"

/* This process's identity: pid | (start time in clock ticks since boot << 22). */
uint64_t hftipc__self_owner(void);

/* Inode of this process's pid namespace, 0 when unknown. */
uint64_t hftipc__self_pidns(void);

/* Liveness of the process described by an owner word and its pid namespace. */
hftipc_liveness_t hftipc__owner_liveness(uint64_t owner, uint64_t owner_pidns);

/* Claims the role for `self`: free, held by a dead process, or (when stale_after_ns >= 0) held
 * by a process whose heartbeat is older than that (a takeover; the old holder is fenced).
 * HFTIPC_EBUSY when a live process, or this process through another handle, holds it. */
int hftipc__holder_acquire(hftipc__holder *h, uint64_t self, uint64_t self_pidns, uint64_t now_ns,
                           int64_t stale_after_ns);

/* Nanoseconds since the CLOCK_MONOTONIC heartbeat `beat_ns` read from the mapping; 0 for a
 * heartbeat in the future. Free of overflow for every value. */
uint64_t hftipc__heartbeat_age(uint64_t beat_ns);

/* Releases the role if `self` still holds it. */
void hftipc__holder_release(hftipc__holder *h, uint64_t self);

static inline uint32_t hftipc__owner_pid(uint64_t owner)
{
    return (uint32_t)(owner & HFTIPC__OWNER_PID_MASK);
}

#endif
