/*
 * SPSC channels (docs/FORMAT.md, "Publish and consume protocol"): the producer's and the
 * consumer's tables. The ring algorithm is in ring.h; the consumer's operations are the shared
 * templates of consume.h, instantiated twice: for files with slot commit words (the consumer
 * polls the slot, never head) and for format 1.0 files (the consumer polls head).
 */
#include <stdint.h>

#include "channel.h"
#include "consume.h"
#include "ring.h"

/* ---- Producer ---- */

/* A producer that died after committing slots but before storing head leaves head behind the
 * messages it made visible, and the consumer may already have taken some of them (FORMAT.md,
 * section 5, "Crash of the producer"). Resume after the last slot committed in this lap, from
 * max(head, tail), and store head there, so nothing visible is overwritten or sent twice. */
static void spsc_producer_attach(hftipc_channel_t *ch, uint64_t head, uint64_t tail)
{
    hftipc__ring *r = &ch->ring;
    r->position = head;
    r->cached_peer = tail;
    if (!ch->commit_words)
        return; /* format 1.0: head is the truth */
    uint64_t pos = tail - head <= r->capacity && tail != head ? tail : head;
    while (pos - tail < r->capacity &&
           hftipc__load_acquire_u32(&hftipc__ring_slot(r, pos)->commit) == (uint32_t)(pos + 1))
        pos++;
    if (pos != head)
        hftipc__ring_publish(r, pos);
}

/* A send while a claim is outstanding writes into the claimed slot (the claim reserved the slot
 * at the position and published nothing), which uses the claim up. */
static int spsc_producer_send(hftipc_channel_t *ch, const void *msg, size_t len)
{
    hftipc__ring *r = &ch->ring;
    int rc = hftipc__op_enter(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    uint64_t seq = r->position;
    if (HFTIPC_UNLIKELY(len > r->max_payload)) {
        rc = HFTIPC_ETOOBIG;
    } else {
        int64_t free_slots = hftipc__ring_reserve(r, 1);
        if (HFTIPC_LIKELY(free_slots > 0)) {
            hftipc__ring_write(r, seq, msg, (uint32_t)len); /* S1 */
            hftipc__ring_publish(r, seq + 1);               /* P1, O1 */
            ch->claim_pending = 0;
        } else {
            rc = (int)hftipc__channel_idle_status(ch, free_slots);
        }
    }
    if (HFTIPC_LIKELY(rc == HFTIPC_OK))
        hftipc__channel_wake_consumer(ch, seq);
    return rc;
}

static int64_t spsc_producer_send_batch(hftipc_channel_t *ch, const uint8_t *data,
                                        const uint32_t *lens, size_t count)
{
    hftipc__ring *r = &ch->ring;
    int64_t rc = hftipc__op_enter(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    uint64_t first = r->position;
    rc = hftipc__ring_reserve(r, count);
    if (rc > 0) {
        uint64_t n = (uint64_t)rc < count ? (uint64_t)rc : count;
        hftipc__ring_write_batch(r, first, data, lens, n); /* S1 per slot */
        hftipc__ring_publish(r, first + n);                /* P1, O1 */
        ch->claim_pending = 0;
        rc = (int64_t)n;
    } else {
        rc = hftipc__channel_idle_status(ch, rc);
    }
    if (rc > 0)
        hftipc__channel_wake_consumer(ch, first);
    return rc;
}

/* The claim is the slot at the position: reserving it writes nothing shared, so an aborted or
 * abandoned SPSC claim leaves no trace. While it is outstanding the handle stays busy in its
 * `active` word: it may write the slot in place at any moment. */
static int64_t spsc_producer_claim(hftipc_channel_t *ch, void **payload)
{
    hftipc__ring *r = &ch->ring;
    int64_t rc = hftipc__op_enter(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    if (!ch->claim_pending) {
        /* A claim is returned as a signed sequence: one past 2^63 only comes from a forged
         * cursor (2^63 messages take centuries). */
        rc = r->position > (uint64_t)INT64_MAX ? HFTIPC_ECORRUPT : hftipc__ring_reserve(r, 1);
        if (rc < 0) {
            return hftipc__channel_idle_status(ch, rc);
        }
        ch->claim_seq = r->position;
        ch->claim_pending = 1;
    }
    *payload = hftipc__slot_payload(hftipc__ring_slot(r, ch->claim_seq));
    return (int64_t)ch->claim_seq;
}

static int spsc_producer_commit(hftipc_channel_t *ch, int64_t claim, size_t len)
{
    hftipc__ring *r = &ch->ring;
    int rc = hftipc__op_enter(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    uint64_t seq = ch->claim_seq;
    if (!hftipc__claim_matches(ch, claim)) {
        rc = HFTIPC_ESTATE;
    } else if (len > r->max_payload) {
        rc = HFTIPC_ETOOBIG; /* the claim stays */
    } else {
        hftipc__store_relaxed_u32(&hftipc__ring_slot(r, seq)->length, (uint32_t)len);
        hftipc__ring_commit(r, seq);      /* S1 */
        hftipc__ring_publish(r, seq + 1); /* P1, O1 */
        ch->claim_pending = 0;
    }
    if (rc == HFTIPC_OK)
        hftipc__channel_wake_consumer(ch, seq);
    return rc;
}

static int spsc_producer_abort(hftipc_channel_t *ch, int64_t claim)
{
    int rc = hftipc__op_enter(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    if (hftipc__claim_matches(ch, claim))
        ch->claim_pending = 0; /* nothing was published: the slot is simply not used */
    else
        rc = HFTIPC_ESTATE;
    return rc;
}

static int64_t spsc_producer_readiness(hftipc_channel_t *ch)
{
    return hftipc__ring_free(&ch->ring, 1);
}

/* Producers sleep on the low word of tail, with the value just loaded. */
static const void *spsc_producer_sleep_target(hftipc_channel_t *ch, uint32_t *expected)
{
    *expected = (uint32_t)ch->ring.cached_peer;
    return ch->own_sleeps_on;
}

const hftipc__ops hftipc__spsc_producer_ops = {
    .send = spsc_producer_send,
    .send_batch = spsc_producer_send_batch,
    .claim = spsc_producer_claim,
    .commit = spsc_producer_commit,
    .abort = spsc_producer_abort,
    .receive = hftipc__op_role_receive,
    .receive_batch = hftipc__op_role_receive_batch,
    .drain = hftipc__op_role_drain,
    .peek = hftipc__op_role_peek,
    .ack = hftipc__op_role_ack,
    .readiness = spsc_producer_readiness,
    .sleep_target = spsc_producer_sleep_target,
    .attach = spsc_producer_attach,
};

/* ---- Consumer, files with commit words ---- */

/* The slot's own commit word is the readiness check (hftipc__ring_committed_length), so none is
 * done up front and head is never read (S1). */
static int64_t spsc_cw_begin(hftipc_channel_t *ch, uint64_t wanted)
{
    (void)wanted;
    return (int64_t)ch->ring.capacity;
}

static int64_t spsc_cw_ready(hftipc_channel_t *ch, uint64_t wanted)
{
    (void)wanted;
    hftipc__ring *r = &ch->ring;
    hftipc__slot *s = hftipc__ring_slot(r, r->position);
    return hftipc__load_acquire_u32(&s->commit) == (uint32_t)(r->position + 1) /* S1 */
               ? (int64_t)r->capacity
               : HFTIPC_EEMPTY;
}

HFTIPC__CONSUMER_OPS(spsc_cw, spsc_cw_begin, spsc_cw_ready, 1)

static void spsc_consumer_attach(hftipc_channel_t *ch, uint64_t head, uint64_t tail)
{
    ch->ring.position = tail;
    ch->ring.cached_peer = head;
}

const hftipc__ops hftipc__spsc_consumer_ops = {
    .send = hftipc__op_role_send,
    .send_batch = hftipc__op_role_send_batch,
    .claim = hftipc__op_role_claim,
    .commit = hftipc__op_role_commit,
    .abort = hftipc__op_role_abort,
    .receive = spsc_cw_receive,
    .receive_batch = spsc_cw_receive_batch,
    .drain = spsc_cw_drain,
    .peek = spsc_cw_peek,
    .ack = spsc_cw_ack,
    .readiness = spsc_cw_readiness,
    .sleep_target = hftipc__consume_sleep_target,
    .attach = spsc_consumer_attach,
};

/* ---- Consumer, format 1.0 files (no commit words: head publishes, P1) ---- */

static int64_t spsc_v10_begin(hftipc_channel_t *ch, uint64_t wanted)
{
    return hftipc__ring_ready(&ch->ring, wanted);
}

HFTIPC__CONSUMER_OPS(spsc_v10, spsc_v10_begin, spsc_v10_begin, 0)

/* The consumer sleeps on the low word of head, with the value just loaded. */
static const void *spsc_v10_sleep_target(hftipc_channel_t *ch, uint32_t *expected)
{
    *expected = (uint32_t)ch->ring.cached_peer;
    return ch->own_sleeps_on;
}

const hftipc__ops hftipc__spsc_consumer_v10_ops = {
    .send = hftipc__op_role_send,
    .send_batch = hftipc__op_role_send_batch,
    .claim = hftipc__op_role_claim,
    .commit = hftipc__op_role_commit,
    .abort = hftipc__op_role_abort,
    .receive = spsc_v10_receive,
    .receive_batch = spsc_v10_receive_batch,
    .drain = spsc_v10_drain,
    .peek = spsc_v10_peek,
    .ack = spsc_v10_ack,
    .readiness = spsc_v10_readiness,
    .sleep_target = spsc_v10_sleep_target,
    .attach = spsc_consumer_attach,
};
