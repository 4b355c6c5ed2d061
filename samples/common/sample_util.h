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

#include <errno.h>
#include <signal.h>
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

/* ---- Options: one table per program instead of a hand-written loop -------------------- */

enum sample_opt_kind {
    SAMPLE_OPT_STRING, /* const char **: the next argument */
    SAMPLE_OPT_ULONG,  /* unsigned long *: the next argument, a non-negative decimal integer */
    SAMPLE_OPT_FLAG,   /* int *: set to 1, takes no argument */
};

struct sample_opt {
    const char *name; /* "--path" */
    enum sample_opt_kind kind;
    void *dst;
};

/* Parses argv against `opts` (ended by a { NULL } row). --help and -h print `usage` to stdout
 * and exit 0; anything else unknown, a missing value or a bad number prints it to stderr and
 * exits 2. */
static inline void sample_parse_args(int argc, char **argv, const struct sample_opt *opts,
                                     const char *usage)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            exit(0);
        }
        const struct sample_opt *o = opts;
        while (o->name != NULL && strcmp(o->name, argv[i]) != 0)
            o++;
        if (o->name == NULL || (o->kind != SAMPLE_OPT_FLAG && i + 1 >= argc)) {
            fprintf(stderr, "%s: %s '%s'\n%s", argv[0],
                    o->name == NULL ? "unknown option" : "a value is needed after", argv[i], usage);
            exit(2);
        }
        if (o->kind == SAMPLE_OPT_FLAG) {
            *(int *)o->dst = 1;
        } else if (o->kind == SAMPLE_OPT_STRING) {
            *(const char **)o->dst = argv[++i];
        } else {
            char *end;
            const char *v = argv[++i];
            errno = 0;
            unsigned long n = strtoul(v, &end, 10);
            if (*v < '0' || *v > '9' || *end != '\0' || errno != 0) {
                fprintf(stderr, "%s: %s needs a non-negative integer, not '%s'\n", argv[0], o->name,
                        v);
                exit(2);
            }
            *(unsigned long *)o->dst = n;
        }
    }
}

/* ---- Signals and errors ------------------------------------------------------------------ */

/* Set by SIGINT and SIGTERM once sample_catch_signals() ran: the programs finish cleanly. */
static volatile sig_atomic_t sample_stop_requested;

static inline void sample_on_signal(int sig)
{
    (void)sig;
    sample_stop_requested = 1;
}

static inline void sample_catch_signals(void)
{
    signal(SIGINT, sample_on_signal);
    signal(SIGTERM, sample_on_signal);
}

static inline void sample_die(const char *prog, const char *what, const char *path, int64_t rc)
{
    fprintf(stderr, "%s: %s %s: %s [%s]\n", prog, what, path, hftipc_strerror(rc),
            hftipc_err_name(rc));
    exit(1);
}

#endif /* SAMPLE_UTIL_H */
