/* Role holders and liveness. See peer.h and docs/FORMAT.md, "Role holders". */
#include "peer.h"

#include "atomic.h"

#include "wait.h"

/* The start-time bits of an owner word. */
#define OWNER_START_MASK ((1ull << (64 - HFTIPC__OWNER_PID_BITS)) - 1)

uint64_t hftipc__self_owner(void)
{
    /* The start time, if the OS has one, makes the word safe against pid reuse; 0 leaves
     * liveness to the pid alone. */
    uint64_t start = hftipc__os_self_start() & OWNER_START_MASK;
    return ((uint64_t)hftipc__os_self_pid() & HFTIPC__OWNER_PID_MASK) |
           (start << HFTIPC__OWNER_PID_BITS);
}

uint64_t hftipc__self_pidns(void)
{
    return hftipc__os_self_pidns();
}

hftipc_liveness_t hftipc__owner_liveness(uint64_t owner, uint64_t owner_pidns)
{
    if (owner == 0)
        return HFTIPC_PEER_NONE;
    uint64_t self_ns = hftipc__os_self_pidns();
    if (owner_pidns != 0 && self_ns != 0 && owner_pidns != self_ns)
        return HFTIPC_PEER_UNKNOWN; /* its pid means nothing in our namespace */
    uint32_t pid = hftipc__owner_pid(owner);
    if (pid == 0)
        return HFTIPC_PEER_DEAD; /* no process can have pid 0: a corrupt word */
    uint64_t actual;
    if (hftipc__os_process_probe(pid, &actual) == HFTIPC__OS_PROC_DEAD)
        return HFTIPC_PEER_DEAD;
    uint64_t recorded = owner >> HFTIPC__OWNER_PID_BITS;
    if (recorded != 0 && actual != 0 && recorded != (actual & OWNER_START_MASK))
        return HFTIPC_PEER_DEAD; /* the pid was reused by another process */
    return HFTIPC_PEER_ALIVE;
}

/* How long a takeover waits for a busy previous holder to finish its operation by itself. */
#define IDLE_WAIT_NS (2 * 1000 * 1000)

/* Ends the process `owner` names, race-free against pid reuse, only if it maps the channel file
 * `chan` (platform layer). Returns 1 when that process is gone (also when it already was), 0
 * when it cannot be ended from here. */
static int end_process(uint64_t owner, uint64_t owner_pidns, const hftipc__os_file *chan)
{
    uint64_t self_ns = hftipc__os_self_pidns();
    if (owner_pidns != 0 && self_ns != 0 && owner_pidns != self_ns)
        return 0; /* its pid means nothing in our namespace */
    uint32_t pid = hftipc__owner_pid(owner);
    if (pid == 0)
        return 1;
    /* Gone already, or the pid now names another process: ours is gone. */
    uint64_t recorded = owner >> HFTIPC__OWNER_PID_BITS, actual;
    if (hftipc__os_process_probe(pid, &actual) == HFTIPC__OS_PROC_DEAD ||
        (recorded != 0 && actual != 0 && (actual & OWNER_START_MASK) != recorded))
        return 1;
    return hftipc__os_process_end(pid, recorded, OWNER_START_MASK, chan);
}

/* The taker's half of F1 (docs/FORMAT.md, "Fencing"), run after our CAS on `owner` and before we
 * touch anything else: make sure the previous holder `prev` can never write the ring again.
 * `prev_dead`: its process is already gone. */
static int fence_previous(hftipc__holder *h, uint64_t prev, int prev_dead, uint32_t flags,
                          const hftipc__os_file *chan)
{
    if (prev_dead)
        return HFTIPC_OK;
    /* The record still describes the previous holder: we have not written it yet. */
    uint64_t idle = hftipc__load_relaxed_u64(&h->epoch) << 1;
    int expedited = hftipc__load_relaxed_u32(&h->wake_capable) != 0;
    if (hftipc__os_fence_all_cpus(expedited) == 0) {
        /* After the fence: either its busy mark is visible now, or its next owner check sees
         * us. Idle with its own epoch is the proof. Acquire pairs with its release store of
         * idle (hftipc__op_declare_idle): the ring writes of its last operation are visible to us.
         */
        int64_t until = hftipc__monotonic_ns() + IDLE_WAIT_NS;
        for (;;) {
            uint64_t active = hftipc__load_acquire_u64(&h->active);
            if (active == idle)
                return HFTIPC_OK;
            /* Busy with its own epoch: inside an operation, maybe about to finish it. Anything
             * else (a 1.0 or 1.1 holder, which never writes the word): unknown, end it. */
            if (active != (idle | 1u) || hftipc__monotonic_ns() >= until)
                break;
            hftipc__os_yield();
        }
    }
    if (end_process(prev, hftipc__load_relaxed_u64(&h->pidns), chan))
        return HFTIPC_OK;
    return (flags & HFTIPC_TAKEOVER_FORCE) ? HFTIPC_OK : HFTIPC_ENOFENCE;
}

/* Is the holder's last sign of life older than `stale_after_ns`? 0 means a holder that never
 * recorded a heartbeat. Unsigned arithmetic: the heartbeat comes from the mapping and may be
 * any value, including one from the future. */
static int heartbeat_stale(const hftipc__holder *h, int64_t stale_after_ns)
{
    uint64_t beat = hftipc__load_relaxed_u64(&((hftipc__holder *)h)->heartbeat_ns);
    uint64_t now = (uint64_t)hftipc__monotonic_ns();
    return beat != 0 && beat <= now && now - beat > (uint64_t)stale_after_ns;
}

int hftipc__holder_acquire(hftipc__holder *h, uint64_t self, uint64_t self_pidns, uint64_t now_ns,
                           int64_t stale_after_ns, uint32_t flags, const hftipc__os_file *chan)
{
    uint64_t expected = 0;
    int prev_dead = 0;
    /* Bounded: each failed CAS means another process changed the owner; after a few rounds
     * somebody live holds it. */
    for (int attempt = 0; attempt < 16; attempt++) {
        uint64_t prev = expected;
        if (hftipc__cas_acq_rel_u64(&h->owner, &expected, self)) {
            /* We hold the owner word (H1). A previous holder that may still run must be proven
             * harmless first; if it cannot be, give the role back untouched. */
            if (prev != 0) {
                int rc = fence_previous(h, prev, prev_dead, flags, chan);
                if (rc != HFTIPC_OK) {
                    uint64_t mine = self;
                    (void)hftipc__cas_acq_rel_u64(&h->owner, &mine, prev);
                    return rc;
                }
            }
            /* From here to the end of the caller's attach we write the record and maybe the ring
             * (a producer's head recovery): that is an operation like any other, bracketed for
             * F1, so that a taker that comes while we are frozen here finds us busy and ends us
             * instead of calling us idle. Mark busy under the record's current epoch, then check
             * that the role is still ours. The caller declares us idle (hftipc__op_declare_idle).
             */
            hftipc__store_relaxed_u64(&h->active, (hftipc__load_relaxed_u64(&h->epoch) << 1) | 1u);
            atomic_signal_fence(memory_order_seq_cst); /* F1, holder side */
            if (hftipc__load_relaxed_u64(&h->owner) != self)
                return HFTIPC_EBUSY; /* taken from us already: we wrote nothing else */
            if (prev != 0)
                hftipc__fetch_add_relaxed_u64(&h->takeovers, 1);
            /* The rest of the record is ours to write. */
            uint64_t epoch = hftipc__fetch_add_relaxed_u64(&h->epoch, 1) + 1;
            hftipc__store_relaxed_u64(&h->active, (epoch << 1) | 1u);
            hftipc__store_relaxed_u64(&h->pidns, self_pidns);
            hftipc__store_relaxed_u64(&h->acquired_ns, now_ns);
            hftipc__store_relaxed_u64(&h->heartbeat_ns, (uint64_t)hftipc__monotonic_ns());
            hftipc__store_relaxed_u32(&h->wake_capable, (uint32_t)hftipc__os_fence_register());
            return HFTIPC_OK;
        }
        if (expected == self)
            return HFTIPC_EBUSY;
        hftipc_liveness_t live =
            hftipc__owner_liveness(expected, hftipc__load_relaxed_u64(&h->pidns));
        prev_dead = live == HFTIPC_PEER_DEAD;
        /* A holder that exists but has shown no sign of life for too long: a stopped process,
         * a paused VM. It may still run again: fence_previous() deals with that. */
        if (!prev_dead && !(stale_after_ns >= 0 && heartbeat_stale(h, stale_after_ns)))
            return HFTIPC_EBUSY;
        /* Dead or stale holder: retry the CAS from its owner word, so two racers cannot both
         * win. */
    }
    return HFTIPC_EBUSY;
}

int hftipc__holder_is_stale(const hftipc__holder *h, int64_t stale_after_ns)
{
    uint64_t owner = hftipc__load_relaxed_u64(&((hftipc__holder *)h)->owner);
    if (owner == 0)
        return 0;
    if (hftipc__owner_liveness(owner, hftipc__load_relaxed_u64(&((hftipc__holder *)h)->pidns)) ==
        HFTIPC_PEER_DEAD)
        return 1;
    return stale_after_ns >= 0 && heartbeat_stale(h, stale_after_ns);
}

void hftipc__holder_release(hftipc__holder *h, uint64_t self)
{
    uint64_t expected = self;
    /* Fails harmlessly if someone took the role over from us in the meantime. */
    (void)hftipc__cas_acq_rel_u64(&h->owner, &expected, 0);
}
