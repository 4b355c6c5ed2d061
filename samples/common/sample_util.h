/*
 * Small helpers shared by the samples' C programs: the monotonic clock, exact latency
 * percentiles over a growing array of samples, and printing a status.
 *
 * Every timestamp the samples put into a message is CLOCK_MONOTONIC nanoseconds: the same clock
 * in every process of the machine (Go reads it with hftipc.MonotonicNow, Java with
 * System.nanoTime), never stepped by NTP.
 */
#ifndef SAMPLE_UTIL_H
#define SAMPLE_UTIL_H

#include <hftipc.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline int64_t sample_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Latency samples in nanoseconds, kept whole so that the percentiles are exact. */
struct sample_latencies {
    int64_t *v;
    size_t n, cap;
};

static inline void sample_latency_add(struct sample_latencies *l, int64_t ns)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1 << 16;
        int64_t *v = realloc(l->v, cap * sizeof *v);
        if (v == NULL) {
            fprintf(stderr, "out of memory for %zu latency samples\n", cap);
            exit(1);
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = ns;
}

static inline int sample_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts the samples (once) and returns the q-quantile by the nearest-rank method. */
static inline int64_t sample_latency_quantile(struct sample_latencies *l, double q, int *sorted)
{
    if (l->n == 0)
        return 0;
    if (!*sorted) {
        qsort(l->v, l->n, sizeof *l->v, sample_cmp_i64);
        *sorted = 1;
    }
    size_t rank = (size_t)(q * (double)l->n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > l->n)
        rank = l->n;
    return l->v[rank - 1];
}

static inline void sample_die(const char *prog, const char *what, const char *path, int64_t rc)
{
    fprintf(stderr, "%s: %s %s: %s [%s]\n", prog, what, path, hftipc_strerror(rc),
            hftipc_err_name(rc));
    exit(1);
}

#endif /* SAMPLE_UTIL_H */
