/* MPSC operations on a channel handle (docs/FORMAT.md, "MPSC channels"). The ring algorithm is
 * in ring_mpsc.h; this file adds producer records, wake-ups and abandoned-claim recovery. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <string.h>

#include "channel.h"
#include "peer.h"
#include "ring_mpsc.h"

/* A stall shorter than this is a producer in the middle of a write, not worth a liveness
 * check (which costs system calls). */
#define STALL_CHECK_AFTER_NS (1000 * 1000)

static int record_claim_is_over(const hftipc__holder *rec, uint64_t tail)
{
    hftipc__holder *h = (hftipc__holder *)rec;
    uint64_t first = hftipc__load_relaxed_u64(&h->pending_first);
    uint32_t count = hftipc__load_relaxed_u32(&h->pending_count);
    return first == 0 || first - 1 + count <= tail;
}

int hftipc__mpsc_take_record(hftipc__header *hdr, uint64_t owner, uint64_t pidns, uint64_t now_ns,
                             int64_t stale_after_ns, hftipc__holder **record)
{
    uint64_t tail = hftipc__load_acquire_u64(&hdr->tail);
    /* Free records first; a record whose last holder left a claim the consumer has not passed
     * yet stays reserved, so the consumer can still recognise that claim as abandoned. */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < HFTIPC_MPSC_MAX_PRODUCERS; i++) {
            hftipc__holder *rec = &hdr->mpsc_producers[i];
            if (!record_claim_is_over(rec, tail))
                continue;
            if (pass == 0 && hftipc__load_relaxed_u64(&rec->owner) != 0)
                continue;
            if (hftipc__holder_acquire(rec, owner, pidns, now_ns, stale_after_ns) == HFTIPC_OK) {
                hftipc__store_relaxed_u64(&rec->pending_first, 0);
                *record = rec;
                return HFTIPC_OK;
            }
        }
    }
    return HFTIPC_EBUSY;
}

static void finish_claim(hftipc_channel_t *ch)
{
    hftipc__store_relaxed_u64(&ch->holder->pending_first, 0);
}

int hftipc__mpsc_send(hftipc_channel_t *ch, const void *msg, uint32_t len)
{
    uint64_t seq;
    int64_t n = hftipc__mpsc_ring_claim(&ch->ring, ch->holder, 1, &seq);
    if (n < 0)
        return (int)n;
    hftipc__ring_write(&ch->ring, seq, msg, len); /* commits: S1 */
    finish_claim(ch);
    hftipc__channel_wake_consumer(ch, seq);
    ch->claimed = 0;
    return HFTIPC_OK;
}

int64_t hftipc__mpsc_send_batch(hftipc_channel_t *ch, const uint8_t *data, const uint32_t *lens,
                                size_t count)
{
    uint64_t first;
    int64_t n = hftipc__mpsc_ring_claim(&ch->ring, ch->holder, count, &first);
    if (n < 0)
        return n;
    hftipc__ring_write_batch(&ch->ring, first, data, lens, (uint64_t)n);
    finish_claim(ch);
    hftipc__channel_wake_consumer(ch, first);
    ch->claimed = 0;
    return n;
}

int hftipc__mpsc_try_claim(hftipc_channel_t *ch, void **payload)
{
    if (!ch->claimed) {
        uint64_t seq;
        int64_t n = hftipc__mpsc_ring_claim(&ch->ring, ch->holder, 1, &seq);
        if (n < 0)
            return (int)n;
        ch->ring.position = seq; /* the producer's own claimed sequence */
        ch->claimed = 1;
    }
    *payload = hftipc__slot_payload(hftipc__ring_slot(&ch->ring, ch->ring.position));
    return HFTIPC_OK;
}

int hftipc__mpsc_commit(hftipc_channel_t *ch, uint32_t len)
{
    uint64_t seq = ch->ring.position;
    hftipc__store_relaxed_u32(&hftipc__ring_slot(&ch->ring, seq)->length, len);
    hftipc__ring_commit(&ch->ring, seq);
    finish_claim(ch);
    hftipc__channel_wake_consumer(ch, seq);
    ch->claimed = 0;
    return HFTIPC_OK;
}

/* Is the claim on `seq` abandoned: announced only by producers that are gone (or that left
 * without committing), and by no live one? Clears a dead record's announcement once the
 * consumer has passed all of it. */
static int claim_abandoned(hftipc_channel_t *ch, uint64_t seq)
{
    int dead_claimant = 0;
    for (int i = 0; i < HFTIPC_MPSC_MAX_PRODUCERS; i++) {
        hftipc__holder *rec = &ch->hdr->mpsc_producers[i];
        uint64_t first = hftipc__load_relaxed_u64(&rec->pending_first);
        uint32_t count = hftipc__load_relaxed_u32(&rec->pending_count);
        if (first == 0 || seq + 1 < first || seq + 1 >= first + count)
            continue;
        uint64_t owner = hftipc__load_relaxed_u64(&rec->owner);
        hftipc_liveness_t live =
            owner == 0 ? HFTIPC_PEER_DEAD
                       : hftipc__owner_liveness(owner, hftipc__load_relaxed_u64(&rec->pidns));
        if (live != HFTIPC_PEER_DEAD)
            return 0; /* someone alive may still commit it */
        dead_claimant = 1;
        if (seq + 2 == first + count) { /* the claim's last slot: the record is free again */
            uint64_t expected = first;
            (void)hftipc__cas_acq_rel_u64(&rec->pending_first, &expected, 0);
        }
    }
    return dead_claimant;
}

int64_t hftipc__mpsc_ready(hftipc_channel_t *ch)
{
    hftipc__ring *r = &ch->ring;
    for (;;) {
        uint64_t seq = r->position;
        hftipc__slot *slot;
        /* Committed (or a corrupt length, which the caller reports): the slot says so, no load
         * of the claim cursor needed. Callers stop at the first slot not yet whole. */
        if (hftipc__ring_committed_length(r, seq, &slot) != HFTIPC_EEMPTY)
            return (int64_t)r->capacity;
        /* M2: a claim we can see comes with its claimer's announcement. */
        uint64_t claim = hftipc__load_acquire_u64(r->head);
        if (claim - seq > r->capacity)
            return HFTIPC_ECORRUPT;
        if (claim == seq)
            return HFTIPC_EEMPTY;
        /* Claimed, not committed: a producer mid-write, or one that died holding the claim. */
        int64_t now = hftipc__monotonic_ns();
        if (ch->stall_seq != seq + 1) {
            ch->stall_seq = seq + 1;
            ch->stall_since_ns = now;
            return HFTIPC_EEMPTY;
        }
        if (now - ch->stall_since_ns < STALL_CHECK_AFTER_NS || !claim_abandoned(ch, seq))
            return HFTIPC_EEMPTY;
        /* Skip the abandoned slot: it holds no message anybody will ever complete. */
        hftipc__ring_release(r, seq + 1);
        hftipc__store_relaxed_u64(&ch->hdr->abandoned_count,
                                  hftipc__load_relaxed_u64(&ch->hdr->abandoned_count) + 1);
        hftipc__channel_wake_peer(ch);
    }
}

int64_t hftipc__mpsc_free(hftipc_channel_t *ch)
{
    hftipc__ring *r = &ch->ring;
    uint64_t tail, claim;
    int ok = hftipc__mpsc_snapshot(r, &tail, &claim);
    if (ok <= 0)
        return ok;
    r->cached_peer = tail;
    return (int64_t)(r->capacity - (claim - tail));
}

uint32_t hftipc__mpsc_producer_count(const hftipc__header *hdr, int with_liveness)
{
    uint32_t n = 0;
    for (int i = 0; i < HFTIPC_MPSC_MAX_PRODUCERS; i++) {
        hftipc__holder *rec = (hftipc__holder *)&hdr->mpsc_producers[i];
        uint64_t owner = hftipc__load_relaxed_u64(&rec->owner);
        if (owner == 0)
            continue;
        if (with_liveness && hftipc__owner_liveness(owner, hftipc__load_relaxed_u64(&rec->pidns)) ==
                                 HFTIPC_PEER_DEAD)
            continue;
        n++;
    }
    return n;
}
