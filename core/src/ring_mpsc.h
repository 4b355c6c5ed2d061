/*
 * The MPSC ring (docs/FORMAT.md, "MPSC channels"): many producer processes claim slots with one
 * CAS on the shared claim cursor (`head`) and commit each slot on its own; one consumer reads
 * slots in sequence order once their commit word says they are whole.
 *
 * Invariants: tail <= committed messages <= head (claimed) <= tail + capacity. A slot's commit
 * word holds (uint32_t)(seq + 1) once message `seq` is whole; other laps leave other values
 * (capacity < 2^32), and a never-written slot holds 0.
 *
 * Pairings:
 *   S1 (ring.h) producer store_release(slot.commit) -> consumer load_acquire(slot.commit).
 *   C1 consumer store_release(tail) -> producer load_acquire(tail), as in SPSC.
 *   M2 producer's claim CAS (acq_rel) -> consumer load_acquire(head): the producer's pending
 *      record, written before the CAS, is visible to a consumer that sees the claim.
 */
#ifndef HFTIPC_RING_MPSC_H
#define HFTIPC_RING_MPSC_H

#include "ring.h"

/* A consistent view of (tail, claim cursor) for a producer. The claim is read between two reads
 * of the tail that agree: otherwise the consumer may have moved on, and other producers
 * claimed against the newer tail, between our reads, and a healthy ring would look like it
 * holds more than `capacity` (claim - tail is only bounded for a tail that was current when the
 * claim was read). Returns 1 with the pair, 0 if the tail kept moving (treat as full for now),
 * or HFTIPC_ECORRUPT. */
static inline int hftipc__mpsc_snapshot(const hftipc__ring *r, uint64_t *tail, uint64_t *claim)
{
    for (int attempt = 0; attempt < 64; attempt++) {
        uint64_t before = hftipc__load_acquire_u64(r->tail); /* C1 */
        uint64_t c = hftipc__load_acquire_u64(r->head);
        if (hftipc__load_acquire_u64(r->tail) != before)
            continue;
        if (c - before > r->capacity)
            return HFTIPC_ECORRUPT;
        *tail = before;
        *claim = c;
        return 1;
    }
    return 0;
}

/* Claims up to `wanted` consecutive slots for the producer whose record is `me`. Returns the
 * number claimed (> 0) with the first sequence in *first, HFTIPC_EFULL or HFTIPC_ECORRUPT. */
static inline int64_t hftipc__mpsc_ring_claim(hftipc__ring *r, hftipc__holder *me, uint64_t wanted,
                                              uint64_t *first)
{
    uint64_t claim = hftipc__load_relaxed_u64(r->head);
    for (;;) {
        if (claim - r->cached_peer > r->capacity ||
            r->capacity - (claim - r->cached_peer) < wanted) {
            uint64_t tail;
            int ok = hftipc__mpsc_snapshot(r, &tail, &claim);
            if (ok < 0)
                return ok;
            if (ok > 0)
                r->cached_peer = tail;
            else
                claim = r->cached_peer + r->capacity; /* unsettled: report full, retry later */
        }
        uint64_t free_slots = r->capacity - (claim - r->cached_peer);
        uint64_t n = free_slots < wanted ? free_slots : wanted;
        if (n == 0) {
            hftipc__store_relaxed_u64(&me->pending_first, 0);
            hftipc__fetch_add_relaxed_u64(r->full_count, 1);
            return HFTIPC_EFULL;
        }
        /* Announce the claim before making it (M2), so a consumer that sees the claim also
         * sees who made it. A failed CAS overwrites the announcement on the next round. */
        hftipc__store_relaxed_u32(&me->pending_count, (uint32_t)n);
        hftipc__store_relaxed_u64(&me->pending_first, claim + 1);
        if (hftipc__cas_acq_rel_u64(r->head, &claim, claim + n)) {
            *first = claim;
            return (int64_t)n;
        }
    }
}

#endif
