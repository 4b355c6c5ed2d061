/*
 * MPSC channels (docs/FORMAT.md, "MPSC channels"): the producers' and the consumer's tables. The
 * ring algorithm is in ring_mpsc.h; this file adds producer records, claims with abort (skip
 * records), wake-ups and the recovery of claims nobody will ever commit.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <string.h>

#include "channel.h"
#include "consume.h"
#include "peer.h"
#include "ring_mpsc.h"
#include "wait.h"

/* A stall shorter than this is a producer in the middle of a write, not worth a liveness
 * check (which costs system calls). */
#define STALL_CHECK_AFTER_NS (1000 * 1000)

/* ---- Producer records ---- */

/* Has the consumer passed all of the record's announced claim (or is there none)? */
static int record_claim_is_over(const hftipc__holder *rec, uint64_t tail)
{
    hftipc__holder *h = (hftipc__holder *)rec;
    uint64_t first = hftipc__load_relaxed_u64(&h->pending_first);
    uint32_t count = hftipc__load_relaxed_u32(&h->pending_count);
    if (first == 0)
        return 1;
    /* first - 1 + count <= tail, computed without overflow for any (hostile) first and count. */
    uint64_t start = first - 1;
    return tail >= start && tail - start >= (uint64_t)count;
}

/* Does the record announce a claim that covers `seq`? */
static int record_claims(const hftipc__holder *rec, uint64_t seq)
{
    hftipc__holder *h = (hftipc__holder *)rec;
    uint64_t first = hftipc__load_relaxed_u64(&h->pending_first);
    uint32_t count = hftipc__load_relaxed_u32(&h->pending_count);
    /* seq in [first - 1, first - 1 + count), without overflow. */
    return first != 0 && seq - (first - 1) < (uint64_t)count;
}

/* With a staleness limit: take over the record of a dead or stale producer, the one whose claim
 * blocks the consumer first (FORMAT.md, section 13, item 6). Returns HFTIPC_OK with the record
 * kept for us, 1 when there was nothing to take over or the taken record still announces a claim
 * the consumer must skip (then released for it), or HFTIPC_ENOFENCE. */
static int take_stale_record(hftipc__header *hdr, uint64_t owner, uint64_t pidns, uint64_t now_ns,
                             int64_t stale_after_ns, uint32_t flags, const hftipc__os_file *chan,
                             hftipc__holder **record)
{
    uint64_t tail = hftipc__load_acquire_u64(&hdr->tail);
    int best = -1, best_score = 0;
    for (int i = 0; i < HFTIPC_MPSC_MAX_PRODUCERS; i++) {
        hftipc__holder *rec = &hdr->mpsc_producers[i];
        if (!hftipc__holder_is_stale(rec, stale_after_ns))
            continue;
        int score = record_claims(rec, tail) ? 3 : !record_claim_is_over(rec, tail) ? 2 : 1;
        if (score > best_score) {
            best = i;
            best_score = score;
        }
    }
    if (best < 0)
        return 1;
    hftipc__holder *rec = &hdr->mpsc_producers[best];
    int rc = hftipc__holder_acquire(rec, owner, pidns, now_ns, stale_after_ns, flags, chan);
    if (rc == HFTIPC_ENOFENCE)
        return rc;
    if (rc != HFTIPC_OK)
        return 1; /* it came back to life, or someone else took it first */
    /* Its previous holder can write nothing more (dead, ended, or idle and fenced). A sleeper
     * flag it left is undone here. */
    hftipc__waiting_reset(hdr, rec, 1, NULL);
    if (record_claim_is_over(rec, hftipc__load_acquire_u64(&hdr->tail))) {
        hftipc__store_relaxed_u64(&rec->pending_first, 0);
        *record = rec;
        return HFTIPC_OK;
    }
    /* Its claim is still ahead of the consumer: give the record up with the claim announced and
     * no owner, which the consumer treats as abandoned and skips (section 13, item 3). */
    hftipc__store_release_u64(&rec->active, hftipc__load_relaxed_u64(&rec->epoch) << 1);
    hftipc__holder_release(rec, owner);
    return 1;
}

int hftipc__mpsc_take_record(hftipc__header *hdr, uint64_t owner, uint64_t pidns, uint64_t now_ns,
                             int64_t stale_after_ns, uint32_t flags, const hftipc__os_file *chan,
                             hftipc__holder **record)
{
    if (stale_after_ns >= 0) {
        int rc = take_stale_record(hdr, owner, pidns, now_ns, stale_after_ns, flags, chan, record);
        if (rc <= 0)
            return rc;
    }
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
            int rc = hftipc__holder_acquire(rec, owner, pidns, now_ns, stale_after_ns, flags, chan);
            if (rc == HFTIPC_OK) {
                hftipc__store_relaxed_u64(&rec->pending_first, 0);
                hftipc__waiting_reset(hdr, rec, 1, NULL);
                *record = rec;
                return HFTIPC_OK;
            }
        }
    }
    return HFTIPC_EBUSY;
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

/* Is the claim on `seq` abandoned: announced only by producers that are gone (or that left
 * without committing, or whose record was taken over: owner 0), and by no live one? */
int hftipc__mpsc_claim_abandoned(hftipc__header *hdr, uint64_t seq)
{
    int dead_claimant = 0;
    for (int i = 0; i < HFTIPC_MPSC_MAX_PRODUCERS; i++) {
        hftipc__holder *rec = &hdr->mpsc_producers[i];
        if (!record_claims(rec, seq))
            continue;
        uint64_t owner = hftipc__load_relaxed_u64(&rec->owner);
        hftipc_liveness_t live =
            owner == 0 ? HFTIPC_PEER_DEAD
                       : hftipc__owner_liveness(owner, hftipc__load_relaxed_u64(&rec->pidns));
        if (live != HFTIPC_PEER_DEAD)
            return 0; /* someone alive may still commit it */
        dead_claimant = 1;
    }
    return dead_claimant;
}

/* Once the consumer passed the last slot of a dead record's claim, the record is free again. */
static void clear_passed_claims(hftipc__header *hdr, uint64_t seq)
{
    for (int i = 0; i < HFTIPC_MPSC_MAX_PRODUCERS; i++) {
        hftipc__holder *rec = &hdr->mpsc_producers[i];
        uint64_t first = hftipc__load_relaxed_u64(&rec->pending_first);
        uint32_t count = hftipc__load_relaxed_u32(&rec->pending_count);
        if (first != 0 && count != 0 && seq - (first - 1) == (uint64_t)count - 1) {
            uint64_t expected = first;
            (void)hftipc__cas_acq_rel_u64(&rec->pending_first, &expected, 0);
        }
    }
}

/* ---- Producer ---- */

static void mpsc_producer_attach(hftipc_channel_t *ch, uint64_t head, uint64_t tail)
{
    ch->ring.position = head;
    ch->ring.cached_peer = tail;
}

/* The claim is over: nothing of it is announced any more, and the consumer may be woken. */
static void finish_claim(hftipc_channel_t *ch)
{
    hftipc__store_relaxed_u64(&ch->holder->pending_first, 0);
    ch->claim_pending = 0;
}

/* Writes `len` bytes into the outstanding claim's slot and commits it (S1). */
static uint64_t fill_claim(hftipc_channel_t *ch, const void *msg, uint32_t len)
{
    uint64_t seq = ch->claim_seq;
    hftipc__ring_write(&ch->ring, seq, msg, len);
    finish_claim(ch);
    return seq;
}

static int mpsc_producer_send(hftipc_channel_t *ch, const void *msg, size_t len)
{
    int rc = hftipc__op_enter(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    uint64_t seq = 0;
    if (len > ch->ring.max_payload) {
        rc = HFTIPC_ETOOBIG;
    } else if (ch->claim_pending) {
        seq = fill_claim(ch, msg, (uint32_t)len); /* a send uses an outstanding claim up */
    } else {
        int64_t n = hftipc__mpsc_ring_claim(&ch->ring, ch->holder, 1, &seq);
        if (n > 0) {
            hftipc__ring_write(&ch->ring, seq, msg, (uint32_t)len); /* S1 */
            hftipc__store_relaxed_u64(&ch->holder->pending_first, 0);
        } else {
            rc = (int)hftipc__channel_idle_status(ch, n);
        }
    }
    if (rc == HFTIPC_OK)
        hftipc__channel_wake_consumer(ch, seq);
    return rc;
}

static int64_t mpsc_producer_send_batch(hftipc_channel_t *ch, const uint8_t *data,
                                        const uint32_t *lens, size_t count)
{
    int64_t rc = hftipc__op_enter(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    int64_t sent = 0;
    uint64_t wake_from = 0;
    if (ch->claim_pending) {
        /* The first message goes into the outstanding claim (which it uses up); the rest into
         * a new claim, if there is room. */
        wake_from = fill_claim(ch, data, lens[0]);
        data += lens[0];
        lens++;
        count--;
        sent = 1;
    }
    if (count > 0) {
        uint64_t first;
        int64_t n = hftipc__mpsc_ring_claim(&ch->ring, ch->holder, count, &first);
        if (n > 0) {
            hftipc__ring_write_batch(&ch->ring, first, data, lens, (uint64_t)n);
            hftipc__store_relaxed_u64(&ch->holder->pending_first, 0);
            if (sent == 0)
                wake_from = first;
            sent += n;
        } else if (sent == 0) {
            sent = hftipc__channel_idle_status(ch, n); /* EFULL (or ESTALE), ECORRUPT */
        }
    }
    if (sent > 0)
        hftipc__channel_wake_consumer(ch, wake_from);
    return sent;
}

static int64_t mpsc_producer_claim(hftipc_channel_t *ch, void **payload)
{
    int64_t rc = hftipc__op_enter(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    if (!ch->claim_pending) {
        uint64_t seq;
        rc = hftipc__mpsc_ring_claim(&ch->ring, ch->holder, 1, &seq);
        if (rc > 0 && seq > (uint64_t)INT64_MAX) {
            /* Only a forged cursor gets here; the claim is made, so give it up cleanly. */
            hftipc__store_relaxed_u32(&hftipc__ring_slot(&ch->ring, seq)->length, 0);
            hftipc__ring_commit(&ch->ring, seq);
            hftipc__store_relaxed_u64(&ch->holder->pending_first, 0);
            rc = HFTIPC_ECORRUPT;
        }
        if (rc < 0) {
            return hftipc__channel_idle_status(ch, rc);
        }
        /* The announcement stays up until the commit or abort: a consumer that finds this
         * claim stuck can tell whose it is. */
        ch->claim_seq = seq;
        ch->claim_pending = 1;
    }
    *payload = hftipc__slot_payload(hftipc__ring_slot(&ch->ring, ch->claim_seq));
    return (int64_t)ch->claim_seq;
}

static int mpsc_producer_commit(hftipc_channel_t *ch, int64_t claim, size_t len)
{
    int rc = hftipc__op_enter(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    uint64_t seq = ch->claim_seq;
    if (!hftipc__claim_matches(ch, claim)) {
        rc = HFTIPC_ESTATE;
    } else if (len > ch->ring.max_payload) {
        rc = HFTIPC_ETOOBIG; /* the claim stays */
    } else {
        hftipc__store_relaxed_u32(&hftipc__ring_slot(&ch->ring, seq)->length, (uint32_t)len);
        hftipc__ring_commit(&ch->ring, seq); /* S1 */
        finish_claim(ch);
    }
    if (rc == HFTIPC_OK)
        hftipc__channel_wake_consumer(ch, seq);
    return rc;
}

/* The claimed slot becomes a skip record (FORMAT.md 2.5): committed like a message, so the
 * consumer passes it at once, with a length no message has. */
static int mpsc_producer_abort(hftipc_channel_t *ch, int64_t claim)
{
    int rc = hftipc__op_enter(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    uint64_t seq = ch->claim_seq;
    if (!hftipc__claim_matches(ch, claim)) {
        rc = HFTIPC_ESTATE;
    } else if (!ch->skip_records) {
        rc = HFTIPC_EINCOMPAT; /* a 1.1 consumer would report the record as corrupt */
    } else {
        hftipc__store_relaxed_u32(&hftipc__ring_slot(&ch->ring, seq)->length, HFTIPC__SLOT_SKIP);
        hftipc__ring_commit(&ch->ring, seq); /* S1: the length is visible with the commit */
        finish_claim(ch);
    }
    if (rc == HFTIPC_OK)
        hftipc__channel_wake_consumer(ch, seq);
    return rc;
}

static int64_t mpsc_producer_readiness(hftipc_channel_t *ch)
{
    hftipc__ring *r = &ch->ring;
    uint64_t tail, claim;
    int ok = hftipc__mpsc_snapshot(r, &tail, &claim);
    if (ok <= 0)
        return ok;
    r->cached_peer = tail;
    return (int64_t)(r->capacity - (claim - tail));
}

static const void *mpsc_producer_sleep_target(hftipc_channel_t *ch, uint32_t *expected)
{
    *expected = (uint32_t)ch->ring.cached_peer;
    return ch->own_sleeps_on;
}

const hftipc__ops hftipc__mpsc_producer_ops = {
    .send = mpsc_producer_send,
    .send_batch = mpsc_producer_send_batch,
    .claim = mpsc_producer_claim,
    .commit = mpsc_producer_commit,
    .abort = mpsc_producer_abort,
    .receive = hftipc__op_role_receive,
    .receive_batch = hftipc__op_role_receive_batch,
    .drain = hftipc__op_role_drain,
    .peek = hftipc__op_role_peek,
    .ack = hftipc__op_role_ack,
    .readiness = mpsc_producer_readiness,
    .sleep_target = mpsc_producer_sleep_target,
    .attach = mpsc_producer_attach,
};

/* ---- Consumer ---- */

/* Passes the slot at the position without delivering it: a skip record or an abandoned claim. */
static void pass_slot(hftipc_channel_t *ch, hftipc__atomic_u64 *counter)
{
    uint64_t seq = ch->ring.position;
    hftipc__ring_release(&ch->ring, seq + 1); /* C1 */
    /* Statistics, written only by the consumer. */
    hftipc__store_relaxed_u64(counter, hftipc__load_relaxed_u64(counter) + 1);
    clear_passed_claims(ch->hdr, seq);
    hftipc__channel_wake_peer(ch);
}

/* Messages that may be ready at the position (> 0) once the slot there holds a whole message,
 * after passing skip records and slots abandoned by dead producers; HFTIPC_EEMPTY or
 * HFTIPC_ECORRUPT. At most `capacity` slots are passed per call. */
static int64_t mpsc_consumer_ready(hftipc_channel_t *ch, uint64_t wanted)
{
    (void)wanted;
    hftipc__ring *r = &ch->ring;
    for (uint64_t passed = 0; passed <= r->capacity; passed++) {
        uint64_t seq = r->position;
        hftipc__slot *slot = hftipc__ring_slot(r, seq);
        if (hftipc__load_acquire_u32(&slot->commit) == (uint32_t)(seq + 1)) { /* S1 */
            if (ch->skip_records && hftipc__load_relaxed_u32(&slot->length) == HFTIPC__SLOT_SKIP) {
                pass_slot(ch, &ch->hdr->aborted_count);
                continue;
            }
            return (int64_t)r->capacity; /* whole (or a corrupt length: the caller reports it) */
        }
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
        if (now - ch->stall_since_ns < STALL_CHECK_AFTER_NS ||
            !hftipc__mpsc_claim_abandoned(ch->hdr, seq))
            return HFTIPC_EEMPTY;
        /* Skip the abandoned slot: it holds no message anybody will ever complete. */
        pass_slot(ch, &ch->hdr->abandoned_count);
    }
    return HFTIPC_EEMPTY;
}

HFTIPC__CONSUMER_OPS(mpsc_consumer, mpsc_consumer_ready, mpsc_consumer_ready, 1)

static void mpsc_consumer_attach(hftipc_channel_t *ch, uint64_t head, uint64_t tail)
{
    ch->ring.position = tail;
    ch->ring.cached_peer = head;
}

const hftipc__ops hftipc__mpsc_consumer_ops = {
    .send = hftipc__op_role_send,
    .send_batch = hftipc__op_role_send_batch,
    .claim = hftipc__op_role_claim,
    .commit = hftipc__op_role_commit,
    .abort = hftipc__op_role_abort,
    .receive = mpsc_consumer_receive,
    .receive_batch = mpsc_consumer_receive_batch,
    .drain = mpsc_consumer_drain,
    .peek = mpsc_consumer_peek,
    .ack = mpsc_consumer_ack,
    .readiness = mpsc_consumer_readiness,
    .sleep_target = hftipc__consume_sleep_target,
    .attach = mpsc_consumer_attach,
};
