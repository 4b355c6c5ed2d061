/* Role holders and liveness. See peer.h and docs/FORMAT.md, "Role holders". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "peer.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

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

uint64_t hftipc__heartbeat_age(uint64_t beat_ns)
{
    /* The heartbeat comes from the mapping: any value. Unsigned, so no value can overflow; a
     * beat from the future (forged, or from another time namespace) has age 0, as the holder
     * could as well keep beating: a forged heartbeat keeps a role no longer than a live holder
     * does. CLOCK_MONOTONIC is never negative. */
    uint64_t now = (uint64_t)hftipc__monotonic_ns();
    return now > beat_ns ? now - beat_ns : 0;
}

int hftipc__holder_acquire(hftipc__holder *h, uint64_t self, uint64_t self_pidns, uint64_t now_ns,
                           int64_t stale_after_ns)
{
    uint64_t expected = 0;
    /* Bounded: each failed CAS means another process changed the owner; after a few rounds
     * somebody live holds it. */
    for (int attempt = 0; attempt < 16; attempt++) {
        if (hftipc__cas_acq_rel_u64(&h->owner, &expected, self)) {
            /* We hold the role (H1): the rest of the record is ours to write. The epoch change
             * is what fences a previous holder that is still running. */
            if (expected != 0)
                hftipc__fetch_add_relaxed_u64(&h->takeovers, 1);
            hftipc__fetch_add_relaxed_u64(&h->epoch, 1);
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
        if (live != HFTIPC_PEER_DEAD && stale_after_ns >= 0) {
            /* A holder that exists but has shown no sign of life for too long: a stopped
             * process or a paused VM. 0 means a holder that never recorded a heartbeat. */
            uint64_t beat = hftipc__load_relaxed_u64(&h->heartbeat_ns);
            if (beat != 0 && hftipc__heartbeat_age(beat) > (uint64_t)stale_after_ns)
                live = HFTIPC_PEER_DEAD;
        }
        if (live != HFTIPC_PEER_DEAD)
            return HFTIPC_EBUSY;
        /* Dead holder: retry the CAS from its owner word, so two racers cannot both win. */
    }
    return HFTIPC_EBUSY;
}

void hftipc__holder_release(hftipc__holder *h, uint64_t self)
{
    uint64_t expected = self;
    /* Fails harmlessly if someone took the role over from us in the meantime. */
    (void)hftipc__cas_acq_rel_u64(&h->owner, &expected, 0);
}
