/* The channel handle, shared by the API glue (api.c) and the MPSC operations (mpsc.c). */
#ifndef HFTIPC_CHANNEL_H
#define HFTIPC_CHANNEL_H

#include "atomic.h"
#include "format.h"
#include "hftipc.h"
#include "map.h"
#include "ring.h"
#include "wait.h"

struct hftipc_channel_stct {
    hftipc__ring ring; /* first: the hot fields share the handle's first cache line */
    int role;
    int claimed;      /* producer: try_claim returned the slot at ring.position */
    int mpsc;         /* HFTIPC_MODE_MPSC: claims go through the shared cursor and commit words */
    int commit_words; /* consumers detect messages by slot commit words (MPSC, SLOT_COMMIT) */
    /* MPSC consumer: the claimed-but-uncommitted slot it is stuck at, and since when; a stall
     * that lasts is checked for a dead claimer. */
    uint64_t stall_seq;
    int64_t stall_since_ns;
    hftipc__header *hdr;
    hftipc__holder *holder; /* NULL for an observer */
    uint64_t owner;
    /* Blocking waits (docs/FORMAT.md, "Blocking waits"): the flag our peer raises before it
     * sleeps and the word it sleeps on, which we wake after each publish or release; and our
     * own flag, the word we sleep on and the peer's holder record (is it able to wake us?). */
    hftipc__atomic_u32 *peer_waiting;
    const void *peer_sleeps_on;
    hftipc__atomic_u32 *own_waiting;
    const void *own_sleeps_on;
    const hftipc__holder *peer_holder;
    hftipc__geometry geo;
    hftipc__mapping map;
};

/* Fencing (docs/FORMAT.md, "Fencing"): a handle whose role was taken over sees another owner
 * word in the holder record. Relaxed: the word changes only at a takeover, so its line stays
 * cached and the check costs one L1 load per operation. */
static inline int hftipc__channel_fenced(const hftipc_channel_t *ch)
{
    return hftipc__load_relaxed_u64(&ch->holder->owner) != ch->owner;
}

/* After a publish (producer) or a release (consumer): wake the peer if it sleeps. */
static inline void hftipc__channel_wake_peer(hftipc_channel_t *ch)
{
    hftipc__wake_if_waiting(ch->peer_waiting, ch->peer_sleeps_on);
}

/* After a producer published messages from `first` on: wake the consumer if it sleeps. It sleeps
 * on the commit word of the slot it waits for (files with commit words), else on head. */
static inline void hftipc__channel_wake_consumer(hftipc_channel_t *ch, uint64_t first)
{
    const void *word = ch->peer_sleeps_on;
    if (ch->commit_words)
        word = &hftipc__ring_slot(&ch->ring, first)->commit;
    hftipc__wake_if_waiting(ch->peer_waiting, word);
}

/* MPSC operations (mpsc.c); api.c has checked arguments, role and fencing. */
int hftipc__mpsc_take_record(hftipc__header *hdr, uint64_t owner, uint64_t pidns, uint64_t now_ns,
                             int64_t stale_after_ns, hftipc__holder **record);
int hftipc__mpsc_send(hftipc_channel_t *ch, const void *msg, uint32_t len);
int64_t hftipc__mpsc_send_batch(hftipc_channel_t *ch, const uint8_t *data, const uint32_t *lens,
                                size_t count);
int hftipc__mpsc_try_claim(hftipc_channel_t *ch, void **payload);
int hftipc__mpsc_commit(hftipc_channel_t *ch, uint32_t len);
/* Consumer: messages claimed from ch->ring.position when the one there is committed (> 0),
 * after skipping slots abandoned by dead producers; HFTIPC_EEMPTY or HFTIPC_ECORRUPT. */
int64_t hftipc__mpsc_ready(hftipc_channel_t *ch);
/* Producer: free slots (> 0), 0 when full, HFTIPC_ECORRUPT. */
int64_t hftipc__mpsc_free(hftipc_channel_t *ch);
/* Producers holding a record in use, and whether `record` still belongs to a live process. */
uint32_t hftipc__mpsc_producer_count(const hftipc__header *hdr, int with_liveness);

#endif
