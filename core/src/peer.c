/* Role holders and liveness. See peer.h and docs/FORMAT.md, "Role holders". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "peer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "atomic.h"

#include "wait.h"

/* Reads field 3 (state) and field 22 (starttime) of /proc/<pid>/stat. The command name (field
 * 2) may contain spaces and parentheses, so parsing starts after its last ')'. */
static int read_proc_stat(pid_t pid, char *state, uint64_t *start_ticks)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[1024];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (p == NULL || p[1] != ' ')
        return -1;
    p += 2;
    *state = *p;
    /* After ')' come fields 3, 4, ...; starttime is field 22, the 20th token. */
    for (int field = 3; field < 22; field++) {
        p = strchr(p, ' ');
        if (p == NULL)
            return -1;
        p++;
    }
    unsigned long long ticks;
    if (sscanf(p, "%llu", &ticks) != 1)
        return -1;
    *start_ticks = ticks;
    return 0;
}

uint64_t hftipc__self_owner(void)
{
    pid_t pid = getpid();
    char state;
    uint64_t ticks = 0;
    if (read_proc_stat(pid, &state, &ticks) != 0)
        ticks = 0; /* no /proc: liveness falls back to the pid alone */
    return ((uint64_t)pid & HFTIPC__OWNER_PID_MASK) | (ticks << HFTIPC__OWNER_PID_BITS);
}

uint64_t hftipc__self_pidns(void)
{
    struct stat st;
    if (stat("/proc/self/ns/pid", &st) != 0)
        return 0;
    return (uint64_t)st.st_ino;
}

hftipc_liveness_t hftipc__owner_liveness(uint64_t owner, uint64_t owner_pidns)
{
    if (owner == 0)
        return HFTIPC_PEER_NONE;
    uint64_t self_ns = hftipc__self_pidns();
    if (owner_pidns != 0 && self_ns != 0 && owner_pidns != self_ns)
        return HFTIPC_PEER_UNKNOWN; /* its pid means nothing in our namespace */
    pid_t pid = (pid_t)hftipc__owner_pid(owner);
    if (pid <= 0)
        return HFTIPC_PEER_DEAD; /* no process can have pid 0: a corrupt word */
    if (kill(pid, 0) != 0 && errno == ESRCH)
        return HFTIPC_PEER_DEAD;
    char state;
    uint64_t ticks;
    if (read_proc_stat(pid, &state, &ticks) != 0)
        return HFTIPC_PEER_ALIVE; /* exists per kill(), /proc hidden: trust the pid */
    /* A zombie has released nothing but will never run again. */
    if (state == 'Z' || state == 'X')
        return HFTIPC_PEER_DEAD;
    uint64_t recorded = owner >> HFTIPC__OWNER_PID_BITS;
    uint64_t actual = ticks & ((1ull << (64 - HFTIPC__OWNER_PID_BITS)) - 1);
    if (recorded != 0 && recorded != actual)
        return HFTIPC_PEER_DEAD; /* the pid was reused by another process */
    return HFTIPC_PEER_ALIVE;
}

/* How long a takeover waits for a busy previous holder to finish its operation by itself, and
 * for a killed one to be gone. */
#define IDLE_WAIT_NS (2 * 1000 * 1000)
#define EXIT_WAIT_MS 5000

/* Does process `pid` map the file open as `fd`? The owner word comes from the mapping, so a
 * hostile peer could name any process in it; only one that really maps this channel file is a
 * holder we may end. /proc/<pid>/maps is readable for processes we could signal anyway. */
static int process_maps_file(pid_t pid, int fd)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        return 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return 0;
    int found = 0;
    char *line = NULL;
    size_t cap = 0;
    while (!found && getline(&line, &cap, f) > 0) {
        unsigned maj, min;
        unsigned long long ino;
        if (sscanf(line, "%*s %*s %*s %x:%x %llu", &maj, &min, &ino) == 3 &&
            maj == major(st.st_dev) && min == minor(st.st_dev) &&
            ino == (unsigned long long)st.st_ino)
            found = 1;
    }
    free(line);
    fclose(f);
    return found;
}

/* Ends the process `owner` names, race-free against pid reuse: a pidfd pins the process, its
 * start time is checked after the pidfd is open, it must map the channel file (`fd`), and the
 * signal goes through the pidfd. Returns 1 when that process is gone (also when it already
 * was), 0 when it cannot be ended from here. */
static int end_process(uint64_t owner, uint64_t owner_pidns, int chan_fd)
{
    uint64_t self_ns = hftipc__self_pidns();
    if (owner_pidns != 0 && self_ns != 0 && owner_pidns != self_ns)
        return 0; /* its pid means nothing in our namespace */
    pid_t pid = (pid_t)hftipc__owner_pid(owner);
    if (pid <= 0)
        return 1;
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
    int saved = errno;
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) {
        int gone = errno == ESRCH;
        errno = saved;
        return gone;
    }
    int result = 0;
    char state;
    uint64_t ticks;
    uint64_t recorded = owner >> HFTIPC__OWNER_PID_BITS;
    if (read_proc_stat(pid, &state, &ticks) != 0) {
        result = kill(pid, 0) != 0 && errno == ESRCH; /* exited after pidfd_open */
    } else if (state == 'Z' || state == 'X' ||
               (recorded != 0 &&
                recorded != (ticks & ((1ull << (64 - HFTIPC__OWNER_PID_BITS)) - 1)))) {
        result = 1; /* a zombie, or the pid now names another process: ours is gone */
    } else if (process_maps_file(pid, chan_fd) &&
               syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) == 0) {
        /* The pidfd becomes readable once the process has exited: from then on none of its
         * threads can store anything. SIGKILL also ends a stopped process. */
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int64_t deadline = hftipc__monotonic_ns() + (int64_t)EXIT_WAIT_MS * 1000000;
        for (;;) {
            int64_t left_ms = (deadline - hftipc__monotonic_ns()) / 1000000;
            if (left_ms < 0)
                break;
            int n = poll(&p, 1, (int)left_ms + 1);
            if (n > 0) {
                result = 1;
                break;
            }
            if (n < 0 && errno != EINTR)
                break;
        }
    }
    close(fd);
    errno = saved;
    return result;
#else
    (void)owner;
    (void)chan_fd;
    return 0;
#endif
}

/* The taker's half of F1 (docs/FORMAT.md, "Fencing"), run after our CAS on `owner` and before we
 * touch anything else: make sure the previous holder `prev` can never write the ring again.
 * `prev_dead`: its process is already gone. */
static int fence_previous(hftipc__holder *h, uint64_t prev, int prev_dead, uint32_t flags, int fd)
{
    if (prev_dead)
        return HFTIPC_OK;
    /* The record still describes the previous holder: we have not written it yet. */
    uint64_t idle = hftipc__load_relaxed_u64(&h->epoch) << 1;
    int expedited = hftipc__load_relaxed_u32(&h->wake_capable) != 0;
    if (hftipc__fence_all_cpus(expedited) == 0) {
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
            sched_yield();
        }
    }
    if (end_process(prev, hftipc__load_relaxed_u64(&h->pidns), fd))
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
                           int64_t stale_after_ns, uint32_t flags, int fd)
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
                int rc = fence_previous(h, prev, prev_dead, flags, fd);
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
            hftipc__store_relaxed_u32(&h->wake_capable, (uint32_t)hftipc__wait_register());
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
