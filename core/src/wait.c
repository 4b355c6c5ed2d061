/* Futex sleeps and the asymmetric fence. See wait.h and docs/FORMAT.md, "Blocking waits". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "wait.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#define HFTIPC_HAVE_FUTEX                            1
/* membarrier(2) commands. The kernel ABI values, spelled out: <linux/membarrier.h> declares them
 * as enum constants, which the preprocessor cannot test for, and older headers lack them. */
#define HFTIPC__MEMBARRIER_QUERY                     0
#define HFTIPC__MEMBARRIER_GLOBAL_EXPEDITED          (1 << 1)
#define HFTIPC__MEMBARRIER_REGISTER_GLOBAL_EXPEDITED (1 << 2)
#endif

int64_t hftipc__monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* 0: not tried, 1: registered, -1: unavailable. Racing first calls both register: harmless. */
static _Atomic int membarrier_state;

int hftipc__wait_register(void)
{
    int state = atomic_load_explicit(&membarrier_state, memory_order_relaxed);
    if (state != 0)
        return state > 0;
#if defined(HFTIPC_HAVE_FUTEX) && defined(SYS_membarrier)
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

void hftipc__announce_waiter(void)
{
    /* Our side of W1: the waiting-flag store is ordered before our cursor re-check. */
    atomic_thread_fence(memory_order_seq_cst);
#if defined(HFTIPC_HAVE_FUTEX) && defined(SYS_membarrier)
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

void hftipc__sleep_on(const void *word, uint32_t expected, int64_t deadline_ns, int64_t slice_ns)
{
    int64_t now = hftipc__monotonic_ns();
    int64_t until = now + slice_ns;
    if (deadline_ns >= 0 && deadline_ns < until)
        until = deadline_ns;
    if (until <= now)
        return;
#if defined(HFTIPC_HAVE_FUTEX)
    /* An absolute CLOCK_MONOTONIC deadline: a signal (EINTR) returns early, and the caller's
     * next sleep still ends at the same instant, neither shortened nor extended. */
    struct timespec abs = {.tv_sec = until / 1000000000, .tv_nsec = until % 1000000000};
    int saved = errno;
    (void)syscall(SYS_futex, word, FUTEX_WAIT_BITSET, expected, &abs, NULL, FUTEX_BITSET_MATCH_ANY);
    errno = saved;
#else
    (void)word;
    (void)expected;
    struct timespec abs = {.tv_sec = until / 1000000000, .tv_nsec = until % 1000000000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL) == EINTR)
        ;
#endif
}

void hftipc__wake(const void *word)
{
#if defined(HFTIPC_HAVE_FUTEX)
    int saved = errno;
    (void)syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
    errno = saved;
#else
    (void)word;
#endif
}
