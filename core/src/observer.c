/*
 * Observers (docs/FORMAT.md, "Observer"): read-only handles that copy messages without consuming
 * them, from a private position, in SPSC and MPSC files alike. They hold no role, so nothing here
 * is fenced or bracketed, and they write nothing into the mapping (it is mapped read-only).
 *
 * The producer may overwrite a slot at any moment, so the observer copies, then checks whether
 * the producer could have started on that slot's next lap (seqlock read side): the producer
 * writes sequence s + capacity only after (a) the consumer's tail passed s (acquire of tail, C1)
 * and (b) it stored head >= s + capacity (program order, kept by O1 in SPSC, by the claim CAS in
 * MPSC). If either still fails after the copy, the copy is intact.
 *
 * An observer passes what the consumer passes (FORMAT.md, section 13, item 7): a skip record, and
 * a slot that is not committed while tail is already beyond it (an abandoned claim the consumer
 * skipped).
 */
#include <string.h>

#include "channel.h"
#include "consume.h"
#include "ring.h"

/* After a lap: resume at the oldest unconsumed message, or at head if tail is out of range. */
static int64_t lapped(hftipc__ring *r, uint64_t head, uint64_t tail)
{
    r->position = head - tail <= r->capacity ? tail : head;
    return HFTIPC_ELAPPED;
}

static int64_t observer_copy(hftipc_channel_t *ch, void *buf, size_t buf_len)
{
    hftipc__ring *r = &ch->ring;
    for (uint64_t passed = 0; passed <= r->capacity; passed++) {
        uint64_t seq = r->position;
        uint64_t head = hftipc__load_acquire_u64(r->head); /* P1 */
        if (head == seq)
            return HFTIPC_EEMPTY;
        if (head - seq > r->capacity) {
            if (seq > head)
                return HFTIPC_ECORRUPT; /* head went backwards: not a well-behaved producer */
            return lapped(r, head, hftipc__load_acquire_u64(r->tail));
        }
        hftipc__slot *s = hftipc__ring_slot(r, seq);
        if (ch->commit_words && hftipc__load_acquire_u32(&s->commit) != (uint32_t)(seq + 1)) {
            /* Claimed, not whole (S1): being written, or abandoned and already passed by the
             * consumer, which a still-uncommitted slot behind tail can only mean. */
            if (hftipc__load_acquire_u64(r->tail) > seq) {
                r->position = seq + 1;
                continue;
            }
            return HFTIPC_EEMPTY;
        }
        uint32_t len = hftipc__load_relaxed_u32(&s->length);
        int64_t rc = len;
        int skip = ch->skip_records && len == HFTIPC__SLOT_SKIP;
        if (skip)
            rc = 0;
        else if (len > r->max_payload)
            rc = HFTIPC_ECORRUPT;
        else if (len > buf_len)
            rc = HFTIPC_EBUFSIZE;
        else if (len != 0)
            memcpy(buf, hftipc__slot_payload(s), len);
        hftipc__fence_acquire();
        uint64_t tail_after = hftipc__load_relaxed_u64(r->tail);
        uint64_t head_after = hftipc__load_relaxed_u64(r->head);
        if (tail_after > seq && head_after - seq >= r->capacity)
            return lapped(r, head_after, tail_after);
        if (skip) {
            r->position = seq + 1; /* an aborted claim: nothing to deliver */
            continue;
        }
        if (rc >= 0)
            r->position = seq + 1;
        return rc;
    }
    return HFTIPC_EEMPTY;
}

static int64_t observer_receive(hftipc_channel_t *ch, void *buf, size_t buf_len)
{
    return hftipc__channel_idle_status(ch, observer_copy(ch, buf, buf_len));
}

/* Ready when the slot at the position is whole, or is an uncommitted slot the consumer passed
 * (receive then skips it). */
static int64_t observer_readiness(hftipc_channel_t *ch)
{
    hftipc__ring *r = &ch->ring;
    uint64_t head = hftipc__load_acquire_u64(r->head);
    r->cached_peer = head;
    if (head == r->position)
        return 0;
    if (!ch->commit_words)
        return 1;
    hftipc__slot *s = hftipc__ring_slot(r, r->position);
    return hftipc__load_acquire_u32(&s->commit) == (uint32_t)(r->position + 1) ||
           hftipc__load_acquire_u64(r->tail) > r->position;
}

/* Observers sleep like consumers: on the slot's commit word, or on head in 1.0 files. */
static const void *observer_sleep_target(hftipc_channel_t *ch, uint32_t *expected)
{
    if (ch->commit_words)
        return hftipc__consume_sleep_target(ch, expected);
    *expected = (uint32_t)ch->ring.cached_peer;
    return ch->own_sleeps_on;
}

/* An observer starts at the newest message: it shows what arrives from now on. */
static void observer_attach(hftipc_channel_t *ch, uint64_t head, uint64_t tail)
{
    (void)tail;
    ch->ring.position = head;
    ch->ring.cached_peer = head;
}

const hftipc__ops hftipc__observer_ops = {
    .send = hftipc__op_role_send,
    .send_batch = hftipc__op_role_send_batch,
    .claim = hftipc__op_role_claim,
    .commit = hftipc__op_role_commit,
    .abort = hftipc__op_role_abort,
    .receive = observer_receive,
    .receive_batch = hftipc__op_role_receive_batch,
    .drain = hftipc__op_role_drain,
    .peek = hftipc__op_role_peek,
    .ack = hftipc__op_role_ack,
    .readiness = observer_readiness,
    .sleep_target = observer_sleep_target,
    .attach = observer_attach,
};
