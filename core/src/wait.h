/*
 * Sleeping and waking across processes (docs/FORMAT.md, "Blocking waits"): a shared futex on
 * a cursor word, and the asymmetric fence that lets the publishing side skip any fence of its
 * own. Everything here is off the hot path except hftipc__wake_if_waiting's flag check.
 */
#ifndef HFTIPC_WAIT_H
#define HFTIPC_WAIT_H

#include <stdint.h>

#include "atomic.h"

/* Registers this process for the asymmetric fence (once per process; later calls are cheap).
 * Returns 1 when hftipc__announce_waiter() gives the full guarantee, 0 otherwise. */
int hftipc__wait_register(void);

/* Called by a waiter after it set its waiting flag and before it re-checks the cursor: makes
 * the flag store and every peer's earlier cursor store mutually visible (Dekker pairing W1). */
void hftipc__announce_waiter(void);

/* Sleeps while *word == expected, at most until `deadline_ns` (CLOCK_MONOTONIC; < 0: no
 * deadline) and at most `slice_ns`. Returns on a wake, a timeout, a signal or a value change:
 * the caller re-checks its condition in every case. */
void hftipc__sleep_on(const void *word, uint32_t expected, int64_t deadline_ns, int64_t slice_ns);

/* Wakes every process sleeping on `word` (a shared futex: not process-private). */
void hftipc__wake(const void *word);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t hftipc__monotonic_ns(void);

/* The publishing side: after a release store of a cursor, wakes sleepers only if one
 * announced itself. A relaxed load of a flag that is written only when someone goes to sleep:
 * it stays in the cache, so the hot path pays one L1 load when nobody sleeps. */
static inline void hftipc__wake_if_waiting(hftipc__atomic_u32 *waiting, const void *word)
{
    /* W1 (publisher side): program order between our cursor store and this load is enforced by
     * the waiter's membarrier, which runs a full barrier on our CPU; see hftipc__announce_waiter.
     */
    atomic_signal_fence(memory_order_seq_cst);
    if (HFTIPC_UNLIKELY(hftipc__load_relaxed_u32(waiting) != 0))
        hftipc__wake(word);
}

#endif
