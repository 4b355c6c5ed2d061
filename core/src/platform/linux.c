/*
 * The Linux platform layer (platform.h): what Linux does better than generic POSIX, on top of
 * the Unix part of platform/posix.c. O_TMPFILE + linkat for the create, fallocate for holes,
 * shared futexes for waits, membarrier for the fences, /proc for process start times, pidfd
 * for ending a stale holder race-free, inotify for directory watches. Empty unless selected
 * (HFTIPC_PLATFORM_LINUX: Linux, and HFTIPC_PLATFORM_FORCE_POSIX not defined).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "platform.h"

#if defined(HFTIPC_PLATFORM_LINUX)

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "hftipc.h"

/* membarrier(2) commands. The kernel ABI values, spelled out: <linux/membarrier.h> declares them
 * as enum constants, which the preprocessor cannot test for, and older headers lack them. */
#define HFTIPC__MEMBARRIER_QUERY                     0
#define HFTIPC__MEMBARRIER_GLOBAL                    (1 << 0)
#define HFTIPC__MEMBARRIER_GLOBAL_EXPEDITED          (1 << 1)
#define HFTIPC__MEMBARRIER_REGISTER_GLOBAL_EXPEDITED (1 << 2)

/* ---- Files ---- */

int hftipc__linux_open_anonymous(const char *dir)
{
    /* Linking an O_TMPFILE file needs /proc/self/fd; without it, the caller falls back to a
     * named temporary file. */
    if (access("/proc/self/fd", X_OK) != 0) {
        errno = EOPNOTSUPP;
        return -1;
    }
    return open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
}

int hftipc__linux_link_anonymous(int fd, const char *path)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

int hftipc__linux_allocate_holes(int fd, uint64_t size)
{
    /* fallocate(2) mode 0 over the whole geometry reserves the holes and leaves every byte and
     * the size as they are (allocated ranges are skipped). Not posix_fallocate(): where the
     * file system lacks fallocate, glibc emulates it by writing bytes into the file, which
     * could overwrite what a peer writes meanwhile. On failure nothing is punched back: a
     * partial allocation changes no byte, and tmpfs undoes its own partial allocation anyway
     * (docs/FORMAT.md, section 3). */
    for (;;) {
        if (fallocate(fd, 0, 0, (off_t)size) == 0)
            return HFTIPC_OK;
        if (errno == EINTR)
            continue;
        if (errno == EOPNOTSUPP)
            return HFTIPC_OK; /* no fallocate here: as create, the sparse file is all we get */
        return hftipc__unix_status(errno);
    }
}

/* ---- Waits and fences (docs/FORMAT.md sections 11 and 12) ---- */

/* 0: not tried, 1: registered, -1: unavailable. Racing first calls both register: harmless.
 * Relaxed: the value is a cache of a kernel answer that every thread would get alike. */
static _Atomic int membarrier_state;

int hftipc__os_fence_register(void)
{
    int state = atomic_load_explicit(&membarrier_state, memory_order_relaxed);
    if (state != 0)
        return state > 0;
#if defined(SYS_membarrier)
    int saved = errno;
    long supported = syscall(SYS_membarrier, HFTIPC__MEMBARRIER_QUERY, 0, 0);
    if (supported > 0 && (supported & HFTIPC__MEMBARRIER_GLOBAL_EXPEDITED) &&
        syscall(SYS_membarrier, HFTIPC__MEMBARRIER_REGISTER_GLOBAL_EXPEDITED, 0, 0) == 0)
        state = 1;
    else
        state = -1;
    errno = saved;
#else
    state = -1;
#endif
    atomic_store_explicit(&membarrier_state, state, memory_order_relaxed);
    return state > 0;
}

void hftipc__os_announce_waiter(void)
{
#if defined(SYS_membarrier)
    /* The publisher's side of W1, run on its behalf: every CPU currently running a registered
     * process executes a full barrier before this returns. So either the publisher's cursor
     * store is visible to our re-check, or its later flag load sees our flag. The publisher
     * itself pays nothing on its hot path. */
    if (atomic_load_explicit(&membarrier_state, memory_order_relaxed) > 0) {
        int saved = errno;
        (void)syscall(SYS_membarrier, HFTIPC__MEMBARRIER_GLOBAL_EXPEDITED, 0, 0);
        errno = saved;
    }
#endif
}

void hftipc__os_sleep_on(const void *word, uint32_t expected, int64_t until_ns)
{
    /* An absolute CLOCK_MONOTONIC deadline: a signal (EINTR) returns early, and the caller's
     * next sleep still ends at the same instant, neither shortened nor extended. */
    struct timespec abs = {.tv_sec = until_ns / 1000000000, .tv_nsec = until_ns % 1000000000};
    int saved = errno;
    (void)syscall(SYS_futex, word, FUTEX_WAIT_BITSET, expected, &abs, NULL, FUTEX_BITSET_MATCH_ANY);
    errno = saved;
}

int hftipc__os_wake(const void *word)
{
    /* A shared futex (no FUTEX_PRIVATE_FLAG): the sleepers are in other processes. */
    int saved = errno;
    long n = syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
    errno = saved;
    return n > 0 ? (int)n : 0;
}

int hftipc__os_fence_all_cpus(int expedited)
{
#if defined(SYS_membarrier)
    int saved = errno;
    long rc = -1;
    if (expedited)
        rc = syscall(SYS_membarrier, HFTIPC__MEMBARRIER_GLOBAL_EXPEDITED, 0, 0);
    if (rc != 0)
        rc = syscall(SYS_membarrier, HFTIPC__MEMBARRIER_GLOBAL, 0, 0);
    errno = saved;
    return rc == 0 ? 0 : -1;
#else
    (void)expedited;
    return -1;
#endif
}

/* ---- Processes ---- */

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

uint64_t hftipc__os_self_start(void)
{
    char state;
    uint64_t ticks = 0;
    if (read_proc_stat(getpid(), &state, &ticks) != 0)
        ticks = 0; /* no /proc: liveness falls back to the pid alone */
    return ticks;
}

uint64_t hftipc__os_self_pidns(void)
{
    struct stat st;
    if (stat("/proc/self/ns/pid", &st) != 0)
        return 0;
    return (uint64_t)st.st_ino;
}

int hftipc__os_process_probe(uint32_t pid, uint64_t *start)
{
    *start = 0;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
        return HFTIPC__OS_PROC_DEAD;
    char state;
    uint64_t ticks;
    if (read_proc_stat((pid_t)pid, &state, &ticks) != 0)
        return HFTIPC__OS_PROC_ALIVE; /* exists per kill(), /proc hidden: trust the pid */
    /* A zombie has released nothing but will never run again. */
    if (state == 'Z' || state == 'X')
        return HFTIPC__OS_PROC_DEAD;
    *start = ticks;
    return HFTIPC__OS_PROC_ALIVE;
}

/* How long a killed holder may take to be gone. */
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

int hftipc__os_process_end(uint32_t upid, uint64_t start, uint64_t start_mask,
                           const hftipc__os_file *chan)
{
    /* Race-free against pid reuse: a pidfd pins the process, its start time is checked after
     * the pidfd is open, it must map the channel file, and the signal goes through the pidfd. */
    pid_t pid = (pid_t)upid;
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
    if (read_proc_stat(pid, &state, &ticks) != 0) {
        result = kill(pid, 0) != 0 && errno == ESRCH; /* exited after pidfd_open */
    } else if (state == 'Z' || state == 'X' || (start != 0 && start != (ticks & start_mask))) {
        result = 1; /* a zombie, or the pid now names another process: ours is gone */
    } else if (process_maps_file(pid, (int)chan->fd) &&
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
    (void)pid;
    (void)start;
    (void)start_mask;
    (void)chan;
    return 0;
#endif
}

/* ---- inotify for the watch in platform/posix.c ---- */

/* File events that can change what a scan finds. Not IN_MODIFY: a file written in a loop would
 * turn the watch into a rescan loop; the writer's close (IN_CLOSE_WRITE) or the periodic
 * rescan report its new state. */
#define WATCH_EVENTS                                                                               \
    (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_CLOSE_WRITE |            \
     IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
/* Open-and-wait only cares about a file arriving (or the directory going away). */
#define ARRIVAL_EVENTS                                                                             \
    (IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF |        \
     IN_ONLYDIR)

int hftipc__linux_notify_open(void)
{
    int saved = errno;
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    errno = saved;
    return fd;
}

int hftipc__linux_notify_arm(int fd, const char *dir, int arrivals)
{
    int saved = errno;
    int wd = inotify_add_watch(fd, dir, arrivals ? ARRIVAL_EVENTS : WATCH_EVENTS);
    errno = saved;
    return wd;
}

int hftipc__linux_notify_drain(int fd, int *wd)
{
    _Alignas(struct inotify_event) char buf[4096];
    int any = 0;
    int saved = errno;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        any = 1;
        for (char *p = buf; p < buf + r;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            /* Only the current watch: an IN_IGNORED left over from a watch already replaced
             * must not drop its successor. */
            if (ev->wd == *wd && (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))) {
                if (!(ev->mask & IN_IGNORED))
                    inotify_rm_watch(fd, *wd);
                *wd = -1;
            }
            p += sizeof *ev + ev->len;
        }
    }
    errno = saved;
    return any;
}

#endif /* HFTIPC_PLATFORM_LINUX */
