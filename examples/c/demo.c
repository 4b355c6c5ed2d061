/*
 * hftipc_demo: two processes exchanging messages through one hftipc channel file.
 *
 * The parent creates the channel (consumer role) and forks; the child opens the same file as
 * the producer and sends COUNT messages, each carrying a sequence number, a CLOCK_MONOTONIC
 * timestamp and a checksum. The parent checks every message and prints progress, throughput,
 * latency percentiles and the channel's own statistics. Run `hftipc_demo --help`.
 *
 * It uses only the public API (hftipc.h), in its simplest form: hftipc_channel_send() and
 * hftipc_channel_receive().
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hftipc.h"

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#else
#define cpu_relax() __asm__ __volatile__("" ::: "memory")
#endif

enum {
    EXIT_OK = 0,
    EXIT_VERIFY = 1, /* a message was missing, duplicated, out of order or damaged */
    EXIT_USAGE = 2,
    EXIT_CHANNEL = 3, /* the channel file could not be created or opened */
    EXIT_SYSTEM = 4,  /* fork, mmap or the producer process failed */
};

/* Message layout (little-endian host order; both ends are the same machine):
 *   [0, 8)   sequence number, from 0
 *   [8, 16)  send time, CLOCK_MONOTONIC ns
 *   [16, 24) checksum of every other byte of the message
 *   [24, n)  filler derived from the sequence number */
#define MSG_MIN 24u

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t checksum(const unsigned char *m, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull, w;
    for (size_t i = 0; i < n; i += 8) {
        if (i == 16)
            continue; /* the checksum field itself */
        w = 0;
        memcpy(&w, m + i, n - i < 8 ? n - i : 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    return h;
}

static void fill(unsigned char *m, size_t n, uint64_t seq)
{
    for (size_t i = MSG_MIN; i < n; i++)
        m[i] = (unsigned char)(seq * 31u + i);
}

/* Log-linear latency histogram: exact below 64 ns, then 16 buckets per power of two (about 6%
 * resolution). Fixed size whatever the message count. */
#define HBUCKETS (64 + 58 * 16)
static uint64_t hist[HBUCKETS];

static unsigned hbucket(uint64_t v)
{
    if (v < 64)
        return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v); /* >= 6 */
    unsigned sub = (unsigned)(v >> (e - 4)) & 15u;
    unsigned b = 64 + (e - 6) * 16 + sub;
    return b < HBUCKETS ? b : HBUCKETS - 1;
}

static uint64_t hbucket_upper(unsigned b)
{
    if (b < 64)
        return b;
    unsigned e = (b - 64) / 16 + 6, sub = (b - 64) % 16;
    return ((16ull + sub + 1) << (e - 4)) - 1;
}

static uint64_t hpercentile(uint64_t total, double q)
{
    uint64_t want = (uint64_t)(q * (double)total + 0.5), seen = 0;
    if (want == 0)
        want = 1;
    for (unsigned b = 0; b < HBUCKETS; b++) {
        seen += hist[b];
        if (seen >= want)
            return hbucket_upper(b);
    }
    return hbucket_upper(HBUCKETS - 1);
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "NAME\n"
        "    hftipc_demo - two processes exchange messages through an hftipc channel file\n"
        "\n"
        "SYNOPSIS\n"
        "    hftipc_demo [-n COUNT] [-s SIZE] [-c CAPACITY] [-r RATE] [-p PATH] [--keep]\n"
        "\n"
        "DESCRIPTION\n"
        "    Creates a channel file at PATH and forks. The child opens the file as the producer "
        "and\n"
        "    sends COUNT messages of SIZE bytes with hftipc_channel_send(), each carrying a "
        "sequence\n"
        "    number, its send time (CLOCK_MONOTONIC) and a checksum. The parent is the consumer: "
        "it\n"
        "    receives with hftipc_channel_receive(), checks sequence and checksum of every "
        "message,\n"
        "    and prints progress lines, then what was sent and received, the rate (msgs/s, MB/s),\n"
        "    latency percentiles from the embedded timestamps, and hftipc_channel_stats() of the\n"
        "    channel (cursors, refused sends, role holders).\n"
        "\n"
        "    By default the producer sends as fast as it can, so the ring fills up and the "
        "latency\n"
        "    mostly measures the time a message waits in a full ring. With --rate it paces "
        "itself,\n"
        "    and the latency is the channel's own.\n"
        "\n"
        "    The file is removed at the end unless --keep is given; it can then be looked at with\n"
        "    hftipc_inspect() or reopened by another program.\n"
        "\n"
        "OPTIONS\n"
        "    -n, --count COUNT     messages to send (default 5000000)\n"
        "    -s, --size SIZE       bytes per message, %u..65536 (default 64); each slot holds the\n"
        "                          message plus an 8-byte header, rounded up to 64 bytes\n"
        "    -c, --capacity N      slots in the ring, a power of two (default 4096)\n"
        "    -r, --rate RATE       send at most RATE messages per second (default: no limit)\n"
        "    -p, --path PATH       channel file to create; must not exist\n"
        "                          (default /dev/shm/hftipc-demo-PID)\n"
        "    -k, --keep            leave the channel file in place at the end\n"
        "    -h, --help            this text\n"
        "\n"
        "EXIT STATUS\n"
        "    0  every message arrived once, in order, with a good checksum\n"
        "    1  a message was missing, duplicated, out of order or damaged\n"
        "    2  bad command-line usage\n"
        "    3  the channel file could not be created or opened (for example /dev/shm is missing\n"
        "       or full: the message names the hftipc status; use --path elsewhere)\n"
        "    4  a system call (fork, mmap) or the producer process failed\n",
        MSG_MIN);
}

/* Shared between the two processes: a word the producer reports into, one the consumer uses to
 * let the producer go (so both role holders are alive when the stats are read). */
typedef struct shared {
    _Atomic int producer_rc; /* 0 while running or OK; an exit code otherwise */
    _Atomic int producer_done;
    _Atomic int consumer_done;
    char error[256];
} shared;

static int producer(const char *path, uint64_t count, size_t size, uint64_t rate, shared *sh)
{
    hftipc_channel_t *ch;
    int rc = hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &ch);
    if (rc != HFTIPC_OK) {
        snprintf(sh->error, sizeof sh->error, "producer: cannot open %s: %s (%s)", path,
                 hftipc_strerror(rc), hftipc_err_name(rc));
        return EXIT_CHANNEL;
    }
    unsigned char *m = calloc(1, size);
    if (m == NULL) {
        hftipc_channel_close(ch);
        return EXIT_SYSTEM;
    }
    uint64_t start = now_ns();
    for (uint64_t seq = 0; seq < count; seq++) {
        if (rate != 0) { /* pace: message seq is due at start + seq / rate */
            uint64_t due = start + (uint64_t)((double)seq * 1e9 / (double)rate);
            while (now_ns() < due)
                cpu_relax();
        }
        uint64_t t = now_ns(), sum;
        memcpy(m, &seq, 8);
        memcpy(m + 8, &t, 8);
        if (size > MSG_MIN)
            fill(m, size, seq);
        sum = checksum(m, size);
        memcpy(m + 16, &sum, 8);
        uint32_t spins = 0;
        while ((rc = hftipc_channel_send(ch, m, size)) == HFTIPC_EFULL) {
            /* The consumer is behind: wait for a free slot. Spin briefly, then yield so that
             * a consumer sharing this CPU (or a busy machine) can make progress. */
            cpu_relax();
            if ((++spins & 255) == 0)
                sched_yield();
            if ((spins & 0xfffff) == 0 && atomic_load(&sh->consumer_done))
                break; /* the consumer gave up */
        }
        if (rc != HFTIPC_OK) {
            snprintf(sh->error, sizeof sh->error, "producer: send #%llu: %s",
                     (unsigned long long)seq, hftipc_strerror(rc));
            free(m);
            hftipc_channel_close(ch);
            return EXIT_SYSTEM;
        }
    }
    free(m);
    atomic_store(&sh->producer_done, 1);
    /* Keep the role until the consumer has read the stats, so they show both holders. */
    while (!atomic_load(&sh->consumer_done))
        usleep(1000);
    hftipc_channel_close(ch);
    return EXIT_OK;
}

static const char *liveness_name(uint32_t l)
{
    switch (l) {
    case HFTIPC_PEER_NONE:
        return "none";
    case HFTIPC_PEER_ALIVE:
        return "alive";
    case HFTIPC_PEER_DEAD:
        return "dead";
    default:
        return "unknown (other pid namespace)";
    }
}

static void fmt_ns(char *out, size_t n, uint64_t ns)
{
    if (ns >= 10000000)
        snprintf(out, n, "%.1f ms", (double)ns / 1e6);
    else if (ns >= 10000)
        snprintf(out, n, "%.1f us", (double)ns / 1e3);
    else
        snprintf(out, n, "%llu ns", (unsigned long long)ns);
}

int main(int argc, char **argv)
{
    uint64_t count = 5000000, rate = 0, v;
    size_t size = 64;
    uint32_t capacity = 4096;
    int keep = 0;
    char path[4096] = "";
    static const struct option longopts[] = {
        {"count", required_argument, NULL, 'n'},    {"size", required_argument, NULL, 's'},
        {"capacity", required_argument, NULL, 'c'}, {"rate", required_argument, NULL, 'r'},
        {"path", required_argument, NULL, 'p'},     {"keep", no_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    int opt;
    char *end;
    while ((opt = getopt_long(argc, argv, "n:s:c:r:p:kh", longopts, NULL)) != -1) {
        errno = 0;
        switch (opt) {
        case 'n':
            v = strtoull(optarg, &end, 10);
            if (errno || *end || end == optarg || v == 0)
                goto bad;
            count = v;
            break;
        case 's':
            v = strtoull(optarg, &end, 10);
            if (errno || *end || end == optarg || v < MSG_MIN || v > 65536)
                goto bad;
            size = (size_t)v;
            break;
        case 'c':
            v = strtoull(optarg, &end, 10);
            if (errno || *end || end == optarg || v == 0 || (v & (v - 1)) ||
                v > HFTIPC_MAX_CAPACITY)
                goto bad;
            capacity = (uint32_t)v;
            break;
        case 'r':
            v = strtoull(optarg, &end, 10);
            if (errno || *end || end == optarg || v == 0)
                goto bad;
            rate = v;
            break;
        case 'p':
            snprintf(path, sizeof path, "%s", optarg);
            break;
        case 'k':
            keep = 1;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        default:
            goto bad;
        }
    }
    if (optind != argc)
        goto bad;
    if (path[0] == '\0')
        snprintf(path, sizeof path, "/dev/shm/hftipc-demo-%d", (int)getpid());

    setvbuf(stdout, NULL, _IOLBF, 0);
    hftipc_options_t opts;
    hftipc_options_init(&opts);
    opts.capacity = capacity;
    /* Slot = 8-byte slot header + message, rounded up to whole 64-byte cache lines: with
     * one message at a time, two slots sharing a line make the line bounce between the
     * producer (writing slot k+1) and the consumer (reading slot k). docs/BENCHMARKS.md. */
    opts.slot_size = (uint32_t)((size + HFTIPC_SLOT_HEADER_SIZE + 63) & ~(size_t)63);

    hftipc_channel_t *ch;
    int rc = hftipc_channel_create(path, &opts, HFTIPC_ROLE_CONSUMER, &ch);
    if (rc != HFTIPC_OK) {
        int err = errno;
        fprintf(stderr, "hftipc_demo: cannot create channel %s: %s (%s)", path, hftipc_strerror(rc),
                hftipc_err_name(rc));
        if (rc == HFTIPC_ESYSTEM)
            fprintf(stderr, ": %s", strerror(err));
        fprintf(stderr, "\n");
        struct stat st;
        if (rc == HFTIPC_ENOENT && strncmp(path, "/dev/shm/", 9) == 0 && stat("/dev/shm", &st) != 0)
            fprintf(stderr,
                    "hftipc_demo: /dev/shm does not exist here; try --path /tmp/hftipc-demo\n");
        else if (rc == HFTIPC_ENOENT)
            fprintf(stderr, "hftipc_demo: the directory of %s does not exist\n", path);
        else if (rc == HFTIPC_ENOSPC)
            fprintf(stderr,
                    "hftipc_demo: the file system is full (the file needs %u x %u bytes "
                    "plus a 4 KiB header); free space or use --path elsewhere\n",
                    capacity, opts.slot_size);
        else if (rc == HFTIPC_EEXIST)
            fprintf(stderr, "hftipc_demo: remove the file or choose another --path\n");
        return EXIT_CHANNEL;
    }

    shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        perror("hftipc_demo: mmap");
        hftipc_channel_close(ch);
        unlink(path);
        return EXIT_SYSTEM;
    }
    printf("hftipc %s: channel %s, %u slots of %u bytes; sending %llu messages of %zu bytes",
           hftipc_version_string(), path, hftipc_channel_capacity(ch), hftipc_channel_slot_size(ch),
           (unsigned long long)count, size);
    if (rate)
        printf(" at %llu msgs/s", (unsigned long long)rate);
    printf("\n");

    pid_t pid = fork();
    if (pid < 0) {
        perror("hftipc_demo: fork");
        hftipc_channel_close(ch);
        unlink(path);
        return EXIT_SYSTEM;
    }
    if (pid == 0) /* the child does not touch the parent's handle; it opens its own */
        _exit(producer(path, count, size, rate, sh));

    unsigned char *buf = malloc(size);
    if (buf == NULL) {
        perror("hftipc_demo: malloc");
        return EXIT_SYSTEM;
    }
    uint64_t expected = 0, received = 0, bad_seq = 0, bad_sum = 0, lat_max = 0;
    uint64_t t_first = 0, t_last = 0, next_report = count / 5 ? count / 5 : count;
    int child_status = -1;
    uint32_t idle = 0;
    while (received < count) {
        int64_t r = hftipc_channel_receive(ch, buf, size);
        if (r == HFTIPC_EEMPTY) {
            cpu_relax();
            if ((++idle & 255) == 0)
                sched_yield(); /* let a producer that shares this CPU run */
            /* If the producer died or failed, stop waiting. */
            if (child_status < 0 && (idle & 0xfff) == 0) {
                int st;
                if (waitpid(pid, &st, WNOHANG) == pid) {
                    child_status = st;
                    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                        break;
                }
            }
            continue;
        }
        uint64_t t = now_ns();
        if (r < 0) {
            fprintf(stderr, "hftipc_demo: receive: %s (%s)\n", hftipc_strerror(r),
                    hftipc_err_name(r));
            break;
        }
        if (received == 0)
            t_first = t;
        t_last = t;
        received++;
        uint64_t seq, sent, sum;
        memcpy(&seq, buf, 8);
        memcpy(&sent, buf + 8, 8);
        memcpy(&sum, buf + 16, 8);
        if ((size_t)r != size || sum != checksum(buf, size)) {
            if (bad_sum++ < 5)
                fprintf(stderr, "hftipc_demo: message #%llu: bad length or checksum\n",
                        (unsigned long long)received - 1);
        } else {
            if (seq != expected && bad_seq++ < 5)
                fprintf(stderr, "hftipc_demo: expected sequence %llu, got %llu\n",
                        (unsigned long long)expected, (unsigned long long)seq);
            expected = seq + 1;
            uint64_t lat = t - sent;
            hist[hbucket(lat)]++;
            if (lat > lat_max)
                lat_max = lat;
        }
        if (received == next_report && received < count) {
            double s = (double)(t - t_first) / 1e9;
            printf("  %3.0f%%  %llu received, %.2f M msgs/s so far\n",
                   100.0 * (double)received / (double)count, (unsigned long long)received,
                   s > 0 ? (double)received / s / 1e6 : 0.0);
            next_report += count / 5 ? count / 5 : count;
        }
    }

    hftipc_info_t info;
    memset(&info, 0, sizeof info);
    info.size = sizeof info;
    int src = hftipc_channel_stats(ch, &info);
    atomic_store(&sh->consumer_done, 1);
    if (child_status < 0)
        waitpid(pid, &child_status, 0);
    int producer_ok = WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0;

    double secs = (double)(t_last - t_first) / 1e9;
    double got_rate = secs > 0 ? (double)(received - 1) / secs : 0;
    uint64_t good = received - bad_sum;
    char p50[32], p99[32], p999[32], mx[32];
    /* A bucket's upper bound can exceed the largest sample: never report past the max. */
#define CLAMP_MAX(x) ((x) < lat_max ? (x) : lat_max)
    fmt_ns(p50, sizeof p50, CLAMP_MAX(hpercentile(good, 0.50)));
    fmt_ns(p99, sizeof p99, CLAMP_MAX(hpercentile(good, 0.99)));
    fmt_ns(p999, sizeof p999, CLAMP_MAX(hpercentile(good, 0.999)));
    fmt_ns(mx, sizeof mx, lat_max);

    printf("\nsent      %llu messages of %zu bytes\n", (unsigned long long)count, size);
    printf("received  %llu (%llu sequence errors, %llu bad checksums)\n",
           (unsigned long long)received, (unsigned long long)bad_seq, (unsigned long long)bad_sum);
    printf("rate      %.2f M msgs/s, %.0f MB/s over %.3f s (first to last message)\n",
           got_rate / 1e6, got_rate * (double)size / 1e6, secs);
    if (good > 0)
        printf("latency   p50 %s  p99 %s  p99.9 %s  max %s (send to receive, +-6%%%s)\n", p50, p99,
               p999, mx, rate ? "" : "; queueing in a full ring included, see --rate");
    if (src == HFTIPC_OK) {
        printf("channel   format %u.%u, capacity %u, slot %u bytes (payload up to %u), file %llu "
               "bytes\n",
               info.format_major, info.format_minor, info.capacity, info.slot_size,
               info.max_payload, (unsigned long long)info.file_size);
        printf("cursors   head %llu  tail %llu  backlog %llu; sends refused as full: %llu\n",
               (unsigned long long)info.head, (unsigned long long)info.tail,
               (unsigned long long)info.backlog, (unsigned long long)info.full_count);
        printf("holders   producer pid %u (%s, epoch %llu), consumer pid %u (%s, epoch %llu)\n",
               info.producer_pid, liveness_name(info.producer_liveness),
               (unsigned long long)info.producer_epoch, info.consumer_pid,
               liveness_name(info.consumer_liveness), (unsigned long long)info.consumer_epoch);
    } else {
        printf("channel   stats unavailable: %s\n", hftipc_strerror(src));
    }

    hftipc_channel_close(ch);
    if (keep)
        printf("kept      %s\n", path);
    else
        unlink(path);
    free(buf);

    if (!producer_ok) {
        fprintf(stderr, "hftipc_demo: producer failed: %s\n",
                sh->error[0] ? sh->error : "it exited abnormally");
        return WIFEXITED(child_status) && WEXITSTATUS(child_status) == EXIT_CHANNEL ? EXIT_CHANNEL
                                                                                    : EXIT_SYSTEM;
    }
    if (received != count || bad_seq || bad_sum) {
        printf("RESULT    FAILED: messages missing, out of order or damaged\n");
        return EXIT_VERIFY;
    }
    printf("RESULT    OK: every message arrived once, in order, intact\n");
    return EXIT_OK;

bad:
    fprintf(stderr, "hftipc_demo: bad usage; try --help\n");
    return EXIT_USAGE;
}
