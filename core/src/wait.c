/* Blocking waits and the sleeper flags, over the platform layer's sleeps and fences. See wait.h and
 * docs/FORMAT.md, "Blocking waits". */
#include "wait.h"

#include "channel.h"
#include "peer.h"

#include <limits.h>

void hftipc__announce_waiter(void)
{
    /* Our side of W1: the waiting-flag store is ordered before our cursor re-check. */
    atomic_thread_fence(memory_order_seq_cst);
    /* The publisher's side, run on its behalf where the OS can (Linux: membarrier). */
    hftipc__os_announce_waiter();
}

void hftipc__sleep_on(const void *word, uint32_t expected, int64_t deadline_ns, int64_t slice_ns)
{
    int64_t now = hftipc__monotonic_ns();
    int64_t until = now + slice_ns;
    if (deadline_ns >= 0 && deadline_ns < until)
        until = deadline_ns;
    if (until <= now)
        return;
    hftipc__os_sleep_on(word, expected, until);
}

/* ---- Sleeper flags that outlive their sleeper (FORMAT.md, "Sleeper tags") ---- */

/* Decrements the MPSC sleeper count, never below 0 (a hostile peer may have zeroed it). */
static void count_down(hftipc__atomic_u32 *count)
{
    uint32_t c = hftipc__load_relaxed_u32(count);
    while (c != 0 && !atomic_compare_exchange_weak_explicit(count, &c, c - 1, memory_order_relaxed,
                                                            memory_order_relaxed))
        ;
}

/* Clears `*flag` (holding `seen`) by CAS, so that a sleeper that raised a new tag meanwhile
 * keeps it. Returns 1 if it cleared. */
static int clear_flag(hftipc__atomic_u32 *flag, uint32_t seen)
{
    return atomic_compare_exchange_strong_explicit(flag, &seen, 0, memory_order_relaxed,
                                                   memory_order_relaxed);
}

/* Does the flag value `seen` belong to a sleeper that can no longer sleep under this record:
 * the record is free, it has another holder now (another epoch), or its holder died? A 1.1
 * sleeper stores 1, not a tag: only liveness can tell for it. */
static int flag_is_orphaned(const hftipc__holder *rec, uint32_t seen)
{
    hftipc__holder *h = (hftipc__holder *)rec;
    /* Acquire pairs with the sleeper's release store of its flag (waiter_enter): a tag we see
     * comes with the epoch its sleeper held, not an older one. */
    uint64_t owner = hftipc__load_acquire_u64(&h->owner);
    if (owner == 0)
        return 1;
    if (seen != 1 && seen != hftipc__sleeper_tag(hftipc__load_relaxed_u64(&h->epoch)))
        return 1;
    return hftipc__owner_liveness(owner, hftipc__load_relaxed_u64(&h->pidns)) == HFTIPC_PEER_DEAD;
}

static void clear_orphaned_flags(hftipc_channel_t *ch)
{
    if (ch->mpsc && ch->role == HFTIPC_ROLE_CONSUMER) {
        for (int i = 0; i < HFTIPC_MPSC_MAX_PRODUCERS; i++) {
            hftipc__holder *rec = &ch->hdr->mpsc_producers[i];
            uint32_t seen = hftipc__load_acquire_u32(&rec->waiting);
            if (seen != 0 && flag_is_orphaned(rec, seen) && clear_flag(&rec->waiting, seen))
                count_down(ch->peer_waiting);
        }
        return;
    }
    uint32_t seen = hftipc__load_acquire_u32(ch->peer_waiting);
    if (seen != 0 && flag_is_orphaned(ch->peer_holder, seen))
        (void)clear_flag(ch->peer_waiting, seen);
}

#define ORPHAN_CHECK_EVERY_NS (1000 * 1000)

void hftipc__wake_sleeper(hftipc_channel_t *ch, const void *word)
{
    if (hftipc__os_wake(word) > 0)
        return;
    /* Nobody was asleep on the word although a flag is up: a sleeper about to sleep (its futex
     * compare value makes it return at once), or a flag left by a sleeper that died. The check
     * costs system calls (liveness), so it runs at most once a millisecond per handle. */
    int64_t now = hftipc__monotonic_ns();
    if (now - ch->sleepers_checked_ns < ORPHAN_CHECK_EVERY_NS)
        return;
    ch->sleepers_checked_ns = now;
    clear_orphaned_flags(ch);
}

void hftipc__waiting_reset(hftipc__header *hdr, hftipc__holder *record, int mpsc_producer,
                           hftipc__atomic_u32 *role_flag)
{
    if (mpsc_producer) {
        uint32_t seen = hftipc__load_relaxed_u32(&record->waiting);
        if (seen != 0 && clear_flag(&record->waiting, seen))
            count_down(&hdr->producer_waiting);
        return;
    }
    /* The previous holder of the role is dead, or proven idle and fenced: a flag it raised can
     * only stop waking anybody useful. */
    uint32_t seen = hftipc__load_relaxed_u32(role_flag);
    if (seen != 0)
        (void)clear_flag(role_flag, seen);
}

/* ---- The blocking wait ---- */

enum {
    WAIT_SPINS = 256, /* ~ a microsecond of polling before giving the CPU away */
    WAIT_YIELDS = 16, /* then let other runnable threads go first */
};
/* Sleep slices: a peer that wakes sleepers lets us sleep long (the slice only bounds how stale
 * our heartbeat gets); one that cannot (an observer's peer, an older library) is polled. */
#define WAIT_SLICE_WOKEN_NS  (100 * 1000 * 1000)
#define WAIT_SLICE_POLLED_NS (1000 * 1000)
#define PATH_CHECK_EVERY_NS  (10 * 1000 * 1000)

int64_t hftipc__deadline_after(int64_t timeout_ns)
{
    if (timeout_ns < 0)
        return -1;
    int64_t now = hftipc__monotonic_ns();
    return timeout_ns > INT64_MAX - now ? -1 : now + timeout_ns;
}

/* Readiness of a role holder is an operation like any other (an MPSC consumer may skip an
 * abandoned slot, moving tail): bracketed for fencing. Observers hold no role. */
static int64_t readiness(hftipc_channel_t *ch)
{
    if (ch->holder == NULL)
        return ch->ops->readiness(ch);
    int rc = hftipc__op_enter(ch);
    if (rc != HFTIPC_OK)
        return rc;
    int64_t ready = ch->ops->readiness(ch);
    if (ready == 0) /* nothing to do yet: idle again while we spin or sleep (F1) */
        hftipc__op_declare_idle(ch);
    return ready;
}

/* Can every peer that could unblock us wake us (format 1.1, registered for the fence)? */
static int peers_can_wake(const hftipc_channel_t *ch)
{
    /* A free role counts as able: whoever takes it next announces itself in wake_capable, and
     * only a holder that says it cannot wake makes us poll. */
    if (!(ch->mpsc && ch->role == HFTIPC_ROLE_CONSUMER)) {
        hftipc__holder *peer = (hftipc__holder *)ch->peer_holder;
        return hftipc__load_relaxed_u64(&peer->owner) == 0 ||
               hftipc__load_relaxed_u32(&peer->wake_capable) != 0;
    }
    for (int i = 0; i < HFTIPC_MPSC_MAX_PRODUCERS; i++) {
        hftipc__holder *rec = &ch->hdr->mpsc_producers[i];
        if (hftipc__load_relaxed_u64(&rec->owner) != 0 &&
            hftipc__load_relaxed_u32(&rec->wake_capable) == 0)
            return 0;
    }
    return 1;
}

/* Raising and lowering our flag. Release: a waker that reads our tag (acquire) also reads the
 * epoch we hold, so it never mistakes a live sleeper for an orphaned flag. Lowering is a CAS
 * from our own tag: a flag that a new holder (or a waker) cleared, or raised anew, is not ours
 * to touch. MPSC producers also count themselves, for the consumer's one-load check. */
static void waiter_enter(hftipc_channel_t *ch)
{
    if (ch->mpsc && ch->role == HFTIPC_ROLE_PRODUCER) {
        hftipc__store_release_u32(&ch->holder->waiting, ch->sleeper_tag);
        hftipc__fetch_add_relaxed_u32(ch->own_waiting, 1);
    } else {
        hftipc__store_release_u32(ch->own_waiting, ch->sleeper_tag);
    }
}

static void waiter_leave(hftipc_channel_t *ch)
{
    if (ch->mpsc && ch->role == HFTIPC_ROLE_PRODUCER) {
        if (clear_flag(&ch->holder->waiting, ch->sleeper_tag))
            count_down(ch->own_waiting);
    } else {
        (void)clear_flag(ch->own_waiting, ch->sleeper_tag);
    }
}

int hftipc__wait_until(hftipc_channel_t *ch, int64_t deadline_ns)
{
    int observer = ch->holder == NULL;
    for (unsigned round = 0;; round++) {
        int64_t ready = readiness(ch);
        if (ready != 0)
            return ready > 0 ? HFTIPC_OK : (int)ready;
        if (deadline_ns >= 0 && hftipc__monotonic_ns() >= deadline_ns)
            return HFTIPC_ETIMEDOUT;
        if (round < WAIT_SPINS) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
            continue;
        }
        if (round < WAIT_SPINS + WAIT_YIELDS) {
            hftipc__os_yield();
            continue;
        }
        /* About to sleep: the moment to notice a retired or replaced file (FORMAT.md section
         * 15); the path costs a stat, so it is compared at most every 10 ms. */
        int64_t now = hftipc__monotonic_ns();
        int look = now - ch->path_checked_ns >= PATH_CHECK_EVERY_NS;
        if (look)
            ch->path_checked_ns = now;
        if (hftipc__channel_stale(ch, look))
            return HFTIPC_ESTALE;
        int64_t slice = WAIT_SLICE_POLLED_NS;
        if (!observer) {
            /* About to sleep: between operations, so idle for a takeover (F1). */
            hftipc__op_declare_idle(ch);
            hftipc__store_relaxed_u64(&ch->holder->heartbeat_ns, (uint64_t)hftipc__monotonic_ns());
            /* W1, waiter side: raise the flag, then fence against the publisher (see
             * hftipc__announce_waiter), then look once more. A publish after this point sees
             * the flag and wakes us; one before it is seen by the re-check. */
            waiter_enter(ch);
            hftipc__announce_waiter();
            ready = readiness(ch);
            if (ready != 0) {
                waiter_leave(ch);
                if (ready < 0)
                    return (int)ready;
                continue;
            }
            if (peers_can_wake(ch) && hftipc__os_fence_register())
                slice = WAIT_SLICE_WOKEN_NS;
        }
        /* Futex compare value: the low word of what we just loaded. Any publish changes it (a
         * wrap of 2^32 messages during the syscall's entry is not a concern). */
        uint32_t expected;
        const void *word = ch->ops->sleep_target(ch, &expected);
        if (word != NULL)
            hftipc__sleep_on(word, expected, deadline_ns, slice);
        if (!observer)
            waiter_leave(ch);
    }
}
