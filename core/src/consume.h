/*
 * The consumer's operations, shared by the SPSC and MPSC tables (spsc.c, mpsc.c) as inline
 * templates in the style of ck_ring: each table instantiates them with its own `begin` (how many
 * messages may be ready) and `commit_words` (how a slot says it is whole), both constants at the
 * call site, so every instance compiles to straight-line code with no mode test left in it.
 *
 * Every operation starts with hftipc__op_enter() (fencing, channel.h).
 * Pairings: S1 or P1 on the way in (the slot is whole), C1 on the way out (ring.h).
 */
#ifndef HFTIPC_CONSUME_H
#define HFTIPC_CONSUME_H

#include <string.h>

#include "channel.h"
#include "ring.h"

/* Messages that may be ready from the position: > 0 (callers stop at the first slot the length
 * check reports not whole), HFTIPC_EEMPTY or HFTIPC_ECORRUPT. */
typedef int64_t (*hftipc__begin_fn)(hftipc_channel_t *ch, uint64_t wanted);

/* Length of message `seq`: HFTIPC_ECORRUPT; with commit words HFTIPC_EEMPTY while the slot does
 * not hold message `seq` yet. */
static inline int64_t hftipc__consume_length(const hftipc__ring *r, uint64_t seq, hftipc__slot **s,
                                             const int commit_words)
{
    if (commit_words)
        return hftipc__ring_committed_length(r, seq, s);
    return hftipc__ring_length(r, seq, s);
}

/* Releases the slots up to `new_tail` (C1) and wakes a producer that sleeps for one. */
static inline void hftipc__consume_release(hftipc_channel_t *ch, uint64_t new_tail)
{
    hftipc__ring_release(&ch->ring, new_tail);
    hftipc__channel_wake_peer(ch);
}

static inline int64_t hftipc__consume_receive(hftipc_channel_t *ch, void *buf, size_t buf_len,
                                              hftipc__begin_fn begin, const int commit_words)
{
    hftipc__ring *r = &ch->ring;
    int64_t rc = hftipc__op_enter(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    int64_t avail = begin(ch, 1);
    if (HFTIPC_UNLIKELY(avail < 0)) {
        return hftipc__channel_idle_status(ch, avail);
    }
    hftipc__slot *s;
    int64_t len = hftipc__consume_length(r, r->position, &s, commit_words);
    if (HFTIPC_UNLIKELY(len < 0 || (uint64_t)len > buf_len)) {
        return len < 0 ? hftipc__channel_idle_status(ch, len) : HFTIPC_EBUFSIZE;
    }
    /* buf may be NULL when buf_len is 0: hftipc__copy touches nothing for len 0 (where
     * memcpy(NULL, _, 0) would be undefined behaviour). */
    hftipc__copy(buf, hftipc__slot_payload(s), (size_t)len);
    hftipc__consume_release(ch, r->position + 1);
    return len;
}

static inline int64_t hftipc__consume_receive_batch(hftipc_channel_t *ch, void *buf, size_t buf_len,
                                                    uint32_t *lens, size_t max_count,
                                                    hftipc__begin_fn begin, const int commit_words)
{
    hftipc__ring *r = &ch->ring;
    int64_t rc = hftipc__op_enter(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    int64_t avail = begin(ch, max_count);
    if (avail < 0) {
        return hftipc__channel_idle_status(ch, avail);
    }
    size_t n = (uint64_t)avail < max_count ? (size_t)avail : max_count;
    /* buf may be NULL when buf_len is 0 (then only empty messages fit): point at a dummy byte
     * instead, so that the loop needs no per-message check against NULL + 0 or memcpy(NULL, _,
     * 0), both undefined behaviour. Hoisting the check out of the loop saves about 8
     * instructions per message (callgrind; docs/BENCHMARKS.md). */
    uint8_t dummy;
    uint8_t *out = buf != NULL ? buf : &dummy;
    /* A private copy of the ring: the stores into buf and lens may alias *ch as far as the
     * compiler knows, so reading ch->ring in the loop would reload it once per message. */
    const hftipc__ring g = *r;
    size_t used = 0, i;
    for (i = 0; i < n; i++) {
        hftipc__slot *s;
        int64_t len = hftipc__consume_length(&g, g.position + i, &s, commit_words);
        if (len < 0 || (uint64_t)len > buf_len - used) {
            if (i == 0) {
                return len < 0 ? hftipc__channel_idle_status(ch, len) : HFTIPC_EBUFSIZE;
            }
            break;
        }
        hftipc__copy(out + used, hftipc__slot_payload(s), (size_t)len);
        lens[i] = (uint32_t)len;
        used += (size_t)len;
    }
    hftipc__consume_release(ch, r->position + i);
    return (int64_t)i;
}

static inline int64_t hftipc__consume_drain(hftipc_channel_t *ch, hftipc_handler_fn handler,
                                            void *ctx, size_t max_count, hftipc__begin_fn begin,
                                            const int commit_words)
{
    hftipc__ring *r = &ch->ring;
    int64_t rc = hftipc__op_enter(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    int64_t avail = begin(ch, max_count);
    if (avail < 0) {
        return hftipc__channel_idle_status(ch, avail);
    }
    size_t n = (uint64_t)avail < max_count ? (size_t)avail : max_count;
    const hftipc__ring g = *r; /* the handler may write anywhere, as far as the compiler knows */
    size_t i;
    for (i = 0; i < n; i++) {
        hftipc__slot *s;
        int64_t len = hftipc__consume_length(&g, g.position + i, &s, commit_words);
        if (len < 0) {
            if (i == 0) {
                return hftipc__channel_idle_status(ch, len);
            }
            break;
        }
        if (handler(ctx, hftipc__slot_payload(s), (uint32_t)len) != 0) {
            i++;
            break;
        }
    }
    hftipc__consume_release(ch, r->position + i);
    return (int64_t)i;
}

static inline int64_t hftipc__consume_peek(hftipc_channel_t *ch, const void **payload,
                                           hftipc__begin_fn begin, const int commit_words)
{
    hftipc__ring *r = &ch->ring;
    int64_t rc = hftipc__op_enter(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    int64_t len = begin(ch, 1);
    if (len >= 0) {
        hftipc__slot *s;
        len = hftipc__consume_length(r, r->position, &s, commit_words);
        if (len >= 0)
            *payload = hftipc__slot_payload(s);
    }
    return len >= 0 ? len : hftipc__channel_idle_status(ch, len);
}

/* ack reads no slot, so it asks for readiness with `ready` (which, unlike `begin`, always looks
 * at the slot or head): a slot with a corrupt length is still ackable. */
static inline int hftipc__consume_ack(hftipc_channel_t *ch, hftipc__begin_fn ready)
{
    int rc = hftipc__op_enter(ch);
    if (HFTIPC_UNLIKELY(rc != HFTIPC_OK))
        return rc;
    int64_t avail = ready(ch, 1);
    if (avail < 0) {
        return (int)hftipc__channel_idle_status(ch, avail);
    }
    hftipc__consume_release(ch, ch->ring.position + 1);
    return HFTIPC_OK;
}

/* The consumer sleeps on the commit word of the slot it waits for, with its current value; NULL
 * when the slot became whole meanwhile (FORMAT.md section 11). Observers sleep the same way. */
static inline const void *hftipc__consume_sleep_target(hftipc_channel_t *ch, uint32_t *expected)
{
    hftipc__ring *r = &ch->ring;
    hftipc__slot *s = hftipc__ring_slot(r, r->position);
    *expected = hftipc__load_relaxed_u32(&s->commit);
    return *expected == (uint32_t)(r->position + 1) ? NULL : (const void *)&s->commit;
}

/*
 * The consumer's entries of one table, instantiated from the templates above: PREFIX_receive,
 * PREFIX_receive_batch, PREFIX_drain, PREFIX_peek, PREFIX_ack and PREFIX_readiness, with BEGIN
 * (how many messages may be ready before the slot is read), READY (for ack and the wait: always
 * looks) and COMMIT_WORDS (how a slot says it is whole). Each instance is straight-line code.
 */
#define HFTIPC__CONSUMER_OPS(prefix, begin, ready, commit_words)                                   \
    static int64_t prefix##_receive(hftipc_channel_t *ch, void *buf, size_t buf_len)               \
    {                                                                                              \
        return hftipc__consume_receive(ch, buf, buf_len, begin, commit_words);                     \
    }                                                                                              \
    static int64_t prefix##_receive_batch(hftipc_channel_t *ch, void *buf, size_t buf_len,         \
                                          uint32_t *lens, size_t max_count)                        \
    {                                                                                              \
        return hftipc__consume_receive_batch(ch, buf, buf_len, lens, max_count, begin,             \
                                             commit_words);                                        \
    }                                                                                              \
    static int64_t prefix##_drain(hftipc_channel_t *ch, hftipc_handler_fn handler, void *ctx,      \
                                  size_t max_count)                                                \
    {                                                                                              \
        return hftipc__consume_drain(ch, handler, ctx, max_count, begin, commit_words);            \
    }                                                                                              \
    static int64_t prefix##_peek(hftipc_channel_t *ch, const void **payload)                       \
    {                                                                                              \
        return hftipc__consume_peek(ch, payload, begin, commit_words);                             \
    }                                                                                              \
    static int prefix##_ack(hftipc_channel_t *ch)                                                  \
    {                                                                                              \
        return hftipc__consume_ack(ch, ready);                                                     \
    }                                                                                              \
    static int64_t prefix##_readiness(hftipc_channel_t *ch)                                        \
    {                                                                                              \
        int64_t n = ready(ch, 1);                                                                  \
        return n == HFTIPC_EEMPTY ? 0 : n;                                                         \
    }

#endif
