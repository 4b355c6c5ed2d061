/*
 * hftipc_wait_bench: what blocking waits and MPSC cost, with baselines from the same run.
 *
 *   1. Idle CPU of a consumer blocked in hftipc_channel_receive_wait() on an empty channel,
 *      against a consumer that polls hftipc_channel_receive() for the same time.
 *   2. Wake-up latency from a publish to a consumer that is asleep in the futex (messages
 *      spaced far apart, so the consumer has gone through spinning and yielding into a sleep),
 *      against a consumer that polls: p50, p99, max.
 *   3. MPSC throughput with 1, 2 and 4 producer processes against SPSC, 64-byte messages
 *      through send_batch/receive_batch.
 *   4. Throughput after a sleeper was killed in its sleep (its waiting flag left behind),
 *      against a clean channel: SPSC with the consumer killed asleep, MPSC with a producer
 *      killed asleep; 64-byte messages through send/receive, one per call.
 *
 * A benchmark, not a test: it prints figures and never judges them. --smoke runs tiny sizes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hftipc.h"

#define MS 1000000ll

static int smoke;
static char dir[256] = "/dev/shm";

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what, int64_t rc)
{
    fprintf(stderr, "hftipc_wait_bench: %s: %s\n", what, rc < 0 ? hftipc_strerror(rc) : "failed");
    exit(1);
}

static const char *channel_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/hftipc-wait-bench-%d-%s", dir, (int)getpid(), name);
    unlink(path);
    return path;
}

static void create(const char *path, uint32_t capacity, uint32_t slot, uint32_t mode)
{
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = capacity;
    o.slot_size = slot;
    o.mode = mode;
    hftipc_channel_t *ch;
    int rc = hftipc_channel_create(path, &o, HFTIPC_ROLE_OBSERVER, &ch);
    if (rc != HFTIPC_OK)
        die(path, rc);
    hftipc_channel_close(ch);
}

static hftipc_channel_t *open_role(const char *path, hftipc_role_t role)
{
    hftipc_channel_t *ch;
    int rc = hftipc_channel_open(path, role, &ch);
    if (rc != HFTIPC_OK)
        die(path, rc);
    return ch;
}

static double child_cpu_seconds(pid_t pid)
{
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("child process", -1);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

/* ---- 1. idle CPU ---- */

static double self_cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static void idle_cpu(void)
{
    double seconds = smoke ? 0.2 : 2.0;
    const char *path = channel_path("idle");
    create(path, 64, 64, HFTIPC_MODE_SPSC);
    double cpu[2];
    int fds[2];
    if (pipe(fds) != 0)
        die("pipe", -1);
    for (int polling = 0; polling < 2; polling++) {
        pid_t pid = fork();
        if (pid == 0) {
            /* Only the wait is measured: opening the channel is not idling. */
            hftipc_channel_t *c = open_role(path, HFTIPC_ROLE_CONSUMER);
            char buf[64];
            double before = self_cpu_seconds();
            int64_t end = now_ns() + (int64_t)(seconds * 1e9);
            int ok = 1;
            if (!polling)
                ok = hftipc_channel_receive_wait(c, buf, sizeof buf, end - now_ns()) ==
                     HFTIPC_ETIMEDOUT;
            else
                while (ok && now_ns() < end)
                    ok = hftipc_channel_receive(c, buf, sizeof buf) == HFTIPC_EEMPTY;
            double used = self_cpu_seconds() - before;
            _exit(ok && write(fds[1], &used, sizeof used) == sizeof used ? 0 : 1);
        }
        child_cpu_seconds(pid);
        if (read(fds[0], &cpu[polling], sizeof cpu[polling]) != sizeof cpu[polling])
            die("idle child", -1);
        cpu[polling] /= seconds;
    }
    close(fds[0]);
    close(fds[1]);
    unlink(path);
    printf("| idle consumer, %.1f s on an empty channel | blocked in receive_wait: %.3f%% "
           "of a core | polling receive: %.1f%% of a core |\n",
           seconds, cpu[0] * 100, cpu[1] * 100);
}

/* ---- 2. wake-up latency ---- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void wake_latency(void)
{
    int samples = smoke ? 20 : 300;
    int gap_us = smoke ? 500 : 3000; /* long enough for the consumer to be asleep */
    const char *path = channel_path("wake");
    create(path, 64, 64, HFTIPC_MODE_SPSC);
    int64_t *lat = calloc((size_t)samples, sizeof *lat);
    int fds[2];
    if (pipe(fds) != 0)
        die("pipe", -1);
    double p[2][3];
    for (int polling = 0; polling < 2; polling++) {
        pid_t pid = fork();
        if (pid == 0) { /* producer: one timestamped message every gap */
            hftipc_channel_t *pr = open_role(path, HFTIPC_ROLE_PRODUCER);
            for (int i = 0; i < samples; i++) {
                struct timespec gap = {0, gap_us * 1000L};
                nanosleep(&gap, NULL);
                int64_t t = now_ns();
                if (hftipc_channel_send(pr, &t, sizeof t) != HFTIPC_OK)
                    _exit(1);
            }
            hftipc_channel_close(pr);
            _exit(0);
        }
        hftipc_channel_t *c = open_role(path, HFTIPC_ROLE_CONSUMER);
        for (int i = 0; i < samples; i++) {
            int64_t t;
            int64_t rc;
            if (polling) {
                while ((rc = hftipc_channel_receive(c, &t, sizeof t)) == HFTIPC_EEMPTY)
                    ;
            } else {
                rc = hftipc_channel_receive_wait(c, &t, sizeof t, 5000 * MS);
            }
            if (rc != (int64_t)sizeof t)
                die("receive", rc);
            lat[i] = now_ns() - t;
        }
        hftipc_channel_close(c);
        child_cpu_seconds(pid);
        qsort(lat, (size_t)samples, sizeof *lat, cmp_i64);
        p[polling][0] = lat[samples / 2] / 1e3;
        p[polling][1] = lat[(samples * 99) / 100] / 1e3;
        p[polling][2] = lat[samples - 1] / 1e3;
    }
    close(fds[0]);
    close(fds[1]);
    free(lat);
    unlink(path);
    printf("| wake-up latency, publish to a sleeping consumer (%d samples, %d us apart) | p50 %.1f "
           "us, p99 %.1f us, max %.1f us | polling consumer: p50 %.2f us, p99 %.2f us |\n",
           samples, gap_us, p[0][0], p[0][1], p[0][2], p[1][0], p[1][1]);
}

/* ---- 3. MPSC throughput ---- */

static int produce(const char *path, uint64_t count)
{
    hftipc_channel_t *pr = open_role(path, HFTIPC_ROLE_PRODUCER);
    unsigned char data[32 * 64];
    uint32_t lens[32];
    memset(data, 7, sizeof data);
    for (int i = 0; i < 32; i++)
        lens[i] = 64;
    for (uint64_t sent = 0; sent < count;) {
        size_t n = count - sent < 32 ? (size_t)(count - sent) : 32;
        int64_t rc = hftipc_channel_send_batch(pr, data, n * 64, lens, n);
        if (rc == HFTIPC_EFULL) {
            if (hftipc_channel_wait(pr, 5000 * MS) != HFTIPC_OK)
                return 1;
            continue;
        }
        if (rc <= 0)
            return 2;
        sent += (uint64_t)rc;
    }
    hftipc_channel_close(pr);
    return 0;
}

static double run_producers(uint32_t mode, int producers, uint64_t total)
{
    const char *path = channel_path(mode == HFTIPC_MODE_MPSC ? "mpsc" : "spsc");
    create(path, 4096, 72, mode);
    hftipc_channel_t *c = open_role(path, HFTIPC_ROLE_CONSUMER);
    pid_t kids[8];
    int64_t start = now_ns();
    for (int i = 0; i < producers; i++) {
        kids[i] = fork();
        if (kids[i] == 0)
            _exit(produce(path, total / (uint64_t)producers));
    }
    unsigned char buf[256 * 64];
    uint32_t lens[256];
    uint64_t got = 0, want = total / (uint64_t)producers * (uint64_t)producers;
    while (got < want) {
        int64_t n = hftipc_channel_receive_batch(c, buf, sizeof buf, lens, 256);
        if (n == HFTIPC_EEMPTY) {
            if (hftipc_channel_wait(c, 5000 * MS) != HFTIPC_OK)
                die("consumer wait", -1);
            continue;
        }
        if (n < 0)
            die("receive_batch", n);
        got += (uint64_t)n;
    }
    double secs = (now_ns() - start) / 1e9;
    for (int i = 0; i < producers; i++)
        child_cpu_seconds(kids[i]);
    hftipc_channel_close(c);
    unlink(path);
    return got / secs;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void mpsc_throughput(void)
{
    uint64_t total = smoke ? 20000 : 4000000;
    int runs = smoke ? 1 : 5;
    double spsc[5], mpsc[3][5];
    static const int producer_counts[3] = {1, 2, 4};
    for (int r = 0; r < runs; r++) { /* interleaved, so a slow moment hits every case */
        spsc[r] = run_producers(HFTIPC_MODE_SPSC, 1, total);
        for (int k = 0; k < 3; k++)
            mpsc[k][r] = run_producers(HFTIPC_MODE_MPSC, producer_counts[k], total);
    }
    qsort(spsc, (size_t)runs, sizeof(double), cmp_double);
    printf("| SPSC, 1 producer, 64 B, batches of 32 | %.2f M msgs/s | baseline |\n",
           spsc[runs / 2] / 1e6);
    for (int k = 0; k < 3; k++) {
        qsort(mpsc[k], (size_t)runs, sizeof(double), cmp_double);
        printf("| MPSC, %d producer process%s, 64 B, batches of 32 | %.2f M msgs/s | %.2fx SPSC "
               "|\n",
               producer_counts[k], producer_counts[k] > 1 ? "es" : "", mpsc[k][runs / 2] / 1e6,
               mpsc[k][runs / 2] / spsc[runs / 2]);
    }
}

/* ---- 4. Throughput after a sleeper died ---- */

/* Leaves a phantom sleeper in `path`: a process that takes `role`, sleeps in a blocking call
 * (a producer first fills the ring) and is killed with SIGKILL while it sleeps. */
static void leave_phantom(const char *path, hftipc_role_t role)
{
    pid_t pid = fork();
    if (pid == 0) {
        hftipc_channel_t *ch = open_role(path, role);
        char buf[64] = {0};
        if (role == HFTIPC_ROLE_CONSUMER)
            hftipc_channel_receive_wait(ch, buf, sizeof buf, HFTIPC_WAIT_FOREVER);
        else
            for (;;)
                hftipc_channel_send_wait(ch, buf, sizeof buf, HFTIPC_WAIT_FOREVER);
        _exit(0);
    }
    int64_t until = now_ns() + 3000 * MS;
    hftipc_info_t in = {.size = sizeof in};
    do {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
        if (hftipc_inspect(path, &in) != HFTIPC_OK)
            die("inspect", -1);
    } while ((role == HFTIPC_ROLE_CONSUMER ? in.consumer_waiting : in.producer_waiting) == 0 &&
             now_ns() < until);
    struct timespec ts = {0, 20000000}; /* well inside its futex sleep */
    nanosleep(&ts, NULL);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* Per-message send/receive between a producer process and this consumer, after an optional
 * phantom sleeper in the consumer role (SPSC) or among the producers (MPSC). */
static double run_after_phantom(uint32_t mode, int phantom, uint64_t total)
{
    const char *path = channel_path("phantom");
    create(path, 4096, 72, mode);
    hftipc_role_t dead = mode == HFTIPC_MODE_MPSC ? HFTIPC_ROLE_PRODUCER : HFTIPC_ROLE_CONSUMER;
    if (phantom)
        leave_phantom(path, dead);
    hftipc_channel_t *c = open_role(path, HFTIPC_ROLE_CONSUMER);
    unsigned char buf[64];
    if (phantom && mode == HFTIPC_MODE_MPSC) /* the dead producer filled the ring: drain it */
        while (hftipc_channel_receive(c, buf, sizeof buf) >= 0)
            ;
    int64_t start = now_ns();
    pid_t kid = fork();
    if (kid == 0) {
        hftipc_channel_t *pr = open_role(path, HFTIPC_ROLE_PRODUCER);
        memset(buf, 7, sizeof buf);
        for (uint64_t i = 0; i < total; i++)
            while (hftipc_channel_send(pr, buf, sizeof buf) == HFTIPC_EFULL)
                ;
        _exit(0);
    }
    for (uint64_t got = 0; got < total;) {
        int64_t n = hftipc_channel_receive(c, buf, sizeof buf);
        if (n >= 0)
            got++;
        else if (n != HFTIPC_EEMPTY)
            die("receive", n);
    }
    double secs = (now_ns() - start) / 1e9;
    waitpid(kid, NULL, 0);
    hftipc_channel_close(c);
    unlink(path);
    return total / secs;
}

static void phantom_sleepers(void)
{
    uint64_t total = smoke ? 20000 : 4000000;
    int runs = smoke ? 1 : 5;
    static const uint32_t modes[2] = {HFTIPC_MODE_SPSC, HFTIPC_MODE_MPSC};
    static const char *const what[2] = {"SPSC, consumer killed asleep, new consumer",
                                        "MPSC, a producer killed asleep"};
    for (int m = 0; m < 2; m++) {
        double clean[5], after[5];
        for (int r = 0; r < runs; r++) { /* interleaved */
            clean[r] = run_after_phantom(modes[m], 0, total);
            after[r] = run_after_phantom(modes[m], 1, total);
        }
        qsort(clean, (size_t)runs, sizeof(double), cmp_double);
        qsort(after, (size_t)runs, sizeof(double), cmp_double);
        printf("| %s, 64 B send/receive | %.2f M msgs/s | clean %.2f M msgs/s (%.2fx) |\n", what[m],
               after[runs / 2] / 1e6, clean[runs / 2] / 1e6, after[runs / 2] / clean[runs / 2]);
    }
}

static void usage(FILE *f)
{
    fputs("NAME\n"
          "    hftipc_wait_bench - cost of blocking waits and MPSC channels, with baselines\n\n"
          "SYNOPSIS\n"
          "    hftipc_wait_bench [--smoke] [--dir DIR]\n\n"
          "DESCRIPTION\n"
          "    Measures, with a baseline from the same run: the CPU a consumer blocked in\n"
          "    hftipc_channel_receive_wait() uses on an empty channel (vs. a polling consumer);\n"
          "    the latency from a publish to a consumer asleep in the futex (vs. polling);\n"
          "    MPSC throughput with 1, 2 and 4 producer processes (vs. SPSC), median of 5;\n"
          "    throughput after a sleeper was killed in its sleep (vs. a clean channel).\n"
          "    Prints Markdown table rows. Takes about 30 seconds.\n\n"
          "OPTIONS\n"
          "    --smoke     tiny sizes, for ctest; never judges speed\n"
          "    --dir DIR   where channel files go (default /dev/shm)\n\n"
          "EXIT STATUS\n"
          "    0 on success, 1 if a channel operation failed, 2 on bad usage.\n",
          f);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--smoke") == 0) {
            smoke = 1;
        } else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            snprintf(dir, sizeof dir, "%s", argv[++i]);
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "hftipc_wait_bench: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (access(dir, W_OK) != 0)
        snprintf(dir, sizeof dir, "/tmp");
    printf("hftipc_wait_bench %s, %ld CPUs, channel dir %s\n\n", hftipc_version_string(),
           sysconf(_SC_NPROCESSORS_ONLN), dir);
    printf("| measurement | hftipc | baseline (same run) |\n|---|---|---|\n");
    idle_cpu();
    wake_latency();
    printf("\n| MPSC case | median of %d | ratio |\n|---|---:|---:|\n", smoke ? 1 : 5);
    mpsc_throughput();
    printf("\n| after a dead sleeper (median of %d) | throughput | baseline (same run) |\n"
           "|---|---:|---:|\n",
           smoke ? 1 : 5);
    phantom_sleepers();
    return 0;
}
