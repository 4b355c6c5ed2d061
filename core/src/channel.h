/*
 * The channel handle and the table of operations behind it.
 *
 * A channel mode is one file behind one table (spsc.c, mpsc.c, observer.c): api.c checks the
 * arguments, picks the table once when the handle is made (by mode, role and format), and every
 * public operation is one indirect call through it; no operation tests the mode again. A table
 * has an entry for every operation; the entries a role may not use return HFTIPC_EROLE
 * (hftipc__op_role_* below).
 */
#ifndef HFTIPC_CHANNEL_H
#define HFTIPC_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "atomic.h"
#include "format.h"
#include "hftipc.h"
#include "map.h"
#include "ring.h"
#include "wait.h"

typedef struct hftipc__ops hftipc__ops;

struct hftipc_channel_stct {
    hftipc__ring ring; /* first: the hot fields share the handle's first cache line */
    const hftipc__ops *ops;
    hftipc__holder *holder; /* NULL for an observer */
    uint64_t owner;
    /* Our `active` word values (FORMAT.md, "Fencing"): epoch << 1 idle, | 1 busy. */
    uint64_t active_idle;
    /* The outstanding claim, if any (at most one per handle; hftipc_channel_claim()). */
    int claim_pending;
    int fenced;        /* sticky: once fenced, the handle touches nothing shared any more */
    int declared_idle; /* `active` says idle; the next operation marks us busy first */
    uint64_t claim_seq;
    int role;
    int mpsc;         /* HFTIPC_MODE_MPSC */
    int commit_words; /* consumers detect messages by slot commit words (MPSC, SLOT_COMMIT) */
    int skip_records; /* MPSC file with SKIP_RECORDS: aborted claims become skip records */
    /* MPSC consumer and observer: the claimed-but-uncommitted slot it is stuck at, and since
     * when; a stall that lasts is checked for a dead claimer. */
    uint64_t stall_seq;
    int64_t stall_since_ns;
    hftipc__header *hdr;
    /* Blocking waits (FORMAT.md, "Blocking waits"): the flag our peer raises before it sleeps
     * and the word it sleeps on, which we wake after each publish or release; our own flag, the
     * word we sleep on, our sleeper tag, and the peer's holder record (can it wake us?). */
    hftipc__atomic_u32 *peer_waiting;
    const void *peer_sleeps_on;
    hftipc__atomic_u32 *own_waiting;
    const void *own_sleeps_on;
    const hftipc__holder *peer_holder;
    uint32_t sleeper_tag;
    int64_t sleepers_checked_ns; /* last look for flags left by dead sleepers (rate limit) */
    hftipc__geometry geo;
    hftipc__mapping map;
    /* Retired or replaced files (FORMAT.md section 15): the path opened, a sticky verdict, and
     * when the wait loop last compared the path with the file (rate limit). */
    char *path;
    int stale;
    int64_t path_checked_ns;
};

/* One table per mode and role. Lengths arrive unchecked against the slot (size_t); sequence
 * numbers of claims as the caller passed them. */
struct hftipc__ops {
    /* Producer. */
    int (*send)(hftipc_channel_t *ch, const void *msg, size_t len);
    int64_t (*send_batch)(hftipc_channel_t *ch, const uint8_t *data, const uint32_t *lens,
                          size_t count);
    int64_t (*claim)(hftipc_channel_t *ch, void **payload);
    /* The outstanding claim, which must be `claim` (>= 0), or any (-1: the 1.0 calls). */
    int (*commit)(hftipc_channel_t *ch, int64_t claim, size_t len);
    int (*abort)(hftipc_channel_t *ch, int64_t claim);
    /* Consumer (and observer: receive only). */
    int64_t (*receive)(hftipc_channel_t *ch, void *buf, size_t buf_len);
    int64_t (*receive_batch)(hftipc_channel_t *ch, void *buf, size_t buf_len, uint32_t *lens,
                             size_t max_count);
    int64_t (*drain)(hftipc_channel_t *ch, hftipc_handler_fn handler, void *ctx, size_t max_count);
    int64_t (*peek)(hftipc_channel_t *ch, const void **payload);
    int (*ack)(hftipc_channel_t *ch);
    /* Blocking waits (wait.c): > 0 ready, 0 not yet, < 0 a status; reloads the peer's cursor.
     * Then the futex word to sleep on with the value meaning "still not ready", or NULL when
     * the channel became ready meanwhile. */
    int64_t (*readiness)(hftipc_channel_t *ch);
    const void *(*sleep_target)(hftipc_channel_t *ch, uint32_t *expected);
    /* Sets the starting position from the persisted cursors, after the role is held. */
    void (*attach)(hftipc_channel_t *ch, uint64_t head, uint64_t tail);
};

extern const hftipc__ops hftipc__spsc_producer_ops;
extern const hftipc__ops hftipc__spsc_consumer_ops;     /* files with commit words */
extern const hftipc__ops hftipc__spsc_consumer_v10_ops; /* format 1.0 files: polls head */
extern const hftipc__ops hftipc__mpsc_producer_ops;
extern const hftipc__ops hftipc__mpsc_consumer_ops;
extern const hftipc__ops hftipc__observer_ops;

/* Table entries for operations the handle's role may not use. */
int hftipc__op_role_send(hftipc_channel_t *ch, const void *msg, size_t len);
int64_t hftipc__op_role_send_batch(hftipc_channel_t *ch, const uint8_t *data, const uint32_t *lens,
                                   size_t count);
int64_t hftipc__op_role_claim(hftipc_channel_t *ch, void **payload);
int hftipc__op_role_commit(hftipc_channel_t *ch, int64_t claim, size_t len);
int hftipc__op_role_abort(hftipc_channel_t *ch, int64_t claim);

/* Is `claim` (>= 0, or -1 for "whichever") the handle's outstanding claim? */
static inline int hftipc__claim_matches(const hftipc_channel_t *ch, int64_t claim)
{
    return ch->claim_pending && (claim < 0 || (uint64_t)claim == ch->claim_seq);
}
int64_t hftipc__op_role_receive(hftipc_channel_t *ch, void *buf, size_t buf_len);
int64_t hftipc__op_role_receive_batch(hftipc_channel_t *ch, void *buf, size_t buf_len,
                                      uint32_t *lens, size_t max_count);
int64_t hftipc__op_role_drain(hftipc_channel_t *ch, hftipc_handler_fn handler, void *ctx,
                              size_t max_count);
int64_t hftipc__op_role_peek(hftipc_channel_t *ch, const void **payload);
int hftipc__op_role_ack(hftipc_channel_t *ch);

/*
 * Fencing (FORMAT.md, "Fencing", F1). A holder is *busy* from its first operation after it last
 * declared itself idle, and declares itself idle only where it stops using the ring for a while
 * with no claim outstanding: before each sleep of a blocking wait, in a heartbeat, and when it
 * takes the role. So the steady state of a busy holder costs no shared store at all: one load
 * of a private flag and the owner check.
 *
 * Enter: if we declared ourselves idle, mark ourselves busy in `active` first, then check that
 * we still own the role. A takeover CASes `owner` and then runs membarrier(GLOBAL_EXPEDITED)
 * before it loads `active`: the membarrier executes a full barrier on our CPU if we are
 * running, and a context switch did if we are not, so either our busy store is visible to the
 * taker, or our owner load below comes after that barrier and sees the taker's CAS. That is why
 * a compiler barrier suffices here. The store is relaxed: it only has to be atomic, the ordering
 * comes from the membarrier. Relaxed owner load: the word changes only at takeovers, so its line
 * stays cached and the check is one L1 load.
 */
static inline int hftipc__op_enter(hftipc_channel_t *ch)
{
    if (HFTIPC_UNLIKELY(ch->fenced))
        return HFTIPC_EFENCED;
    if (HFTIPC_UNLIKELY(ch->declared_idle)) {
        hftipc__store_relaxed_u64(&ch->holder->active, ch->active_idle | 1u);
        ch->declared_idle = 0;
    }
    atomic_signal_fence(memory_order_seq_cst); /* F1, holder side */
    if (HFTIPC_UNLIKELY(hftipc__load_relaxed_u64(&ch->holder->owner) != ch->owner)) {
        /* Fenced: from now on the handle touches nothing shared, so a taker's proof that we
         * are idle stays true. Our busy mark stays behind; it carries our epoch, so the new
         * holder's takers read it as "not idle" and decide conservatively. */
        ch->fenced = 1;
        return HFTIPC_EFENCED;
    }
    return HFTIPC_OK;
}

/* Declare ourselves idle (see above): only between operations, with no claim outstanding (its
 * holder may write the slot in place at any moment). Release: a taker that reads `idle`
 * (acquire) also sees every ring write of the operations before. */
static inline void hftipc__op_declare_idle(hftipc_channel_t *ch)
{
    if (ch->holder == NULL || ch->fenced || ch->declared_idle || ch->claim_pending)
        return;
    hftipc__store_release_u64(&ch->holder->active, ch->active_idle);
    ch->declared_idle = 1;
}

/* After a publish (producer) or a release (consumer): wake the peer if it announced a sleep.
 * W1 publisher side: a compiler barrier only, see hftipc__announce_waiter(). */
static inline void hftipc__channel_wake_word(hftipc_channel_t *ch, const void *word)
{
    atomic_signal_fence(memory_order_seq_cst);
    if (HFTIPC_UNLIKELY(hftipc__load_relaxed_u32(ch->peer_waiting) != 0))
        hftipc__wake_sleeper(ch, word);
}

static inline void hftipc__channel_wake_peer(hftipc_channel_t *ch)
{
    hftipc__channel_wake_word(ch, ch->peer_sleeps_on);
}

/* After a producer published messages from `first` on: the consumer sleeps on the commit word
 * of the slot it waits for (files with commit words), else on head. */
static inline void hftipc__channel_wake_consumer(hftipc_channel_t *ch, uint64_t first)
{
    const void *word = ch->peer_sleeps_on;
    if (ch->commit_words)
        word = &hftipc__ring_slot(&ch->ring, first)->commit;
    hftipc__channel_wake_word(ch, word);
}

/* Has the channel been retired (FORMAT.md section 15)? Acquire pairs with the release store of
 * hftipc_channel_remove(). Slow paths only: after a full or empty ring, in waits, heartbeats and
 * stats; the word shares the wait block's line, which the hot path reads anyway. */
static inline int hftipc__channel_retired(hftipc_channel_t *ch)
{
    if (HFTIPC_UNLIKELY(ch->stale))
        return 1;
    if (hftipc__load_acquire_u32(&ch->hdr->retired) == HFTIPC__RETIRED)
        ch->stale = 1;
    return ch->stale;
}

/* A full or empty ring is a slow path: the moment to notice a retired channel (FORMAT.md 15),
 * and to declare the holder idle. Called on the failure branches of the operations only, so
 * that the public entry points stay tail calls through the table. */
static inline int64_t hftipc__channel_idle_status(hftipc_channel_t *ch, int64_t rc)
{
    if (rc != HFTIPC_EFULL && rc != HFTIPC_EEMPTY)
        return rc;
    /* Nothing to do: between operations, so idle for a takeover (F1). A polling holder thus
     * declares itself idle whenever it finds the ring full or empty, and pays the two stores
     * only on that path. */
    hftipc__op_declare_idle(ch);
    return hftipc__channel_retired(ch) ? HFTIPC_ESTALE : rc;
}

/* Retired, or (`check_path`) its path no longer names this file: a system call (stat). */
int hftipc__channel_stale(hftipc_channel_t *ch, int check_path);

/* The sleeper tag of a holder of epoch `epoch` (FORMAT.md, "Blocking waits"): never 0. */
static inline uint32_t hftipc__sleeper_tag(uint64_t epoch)
{
    return (uint32_t)((epoch & 0x7fffffffu) << 1) | 1u;
}

/* ---- MPSC helpers shared with api.c (mpsc.c) ---- */

/* Takes a producer record: a free one, or one whose holder is dead; with a staleness limit,
 * preferably a dead or stale holder's record whose claim blocks the consumer, whose holder is
 * then fenced or ended (hftipc__holder_acquire) and its claim left for the consumer to skip. */
int hftipc__mpsc_take_record(hftipc__header *hdr, uint64_t owner, uint64_t pidns, uint64_t now_ns,
                             int64_t stale_after_ns, uint32_t flags, const hftipc__os_file *chan,
                             hftipc__holder **record);
/* Producers holding a record in use (with liveness: whose process is not dead). */
uint32_t hftipc__mpsc_producer_count(const hftipc__header *hdr, int with_liveness);
/* Is the claim on `seq` abandoned (announced only by dead or departed producers)? */
int hftipc__mpsc_claim_abandoned(hftipc__header *hdr, uint64_t seq);

#endif
