/*
 * The market-data sample's algorithm: consumes the Go feed's 64-byte quotes
 * (samples/market-data/README.md), runs a moving-average crossover per symbol, and measures the
 * latency of every quote: CLOCK_MONOTONIC on arrival minus the feed's CLOCK_MONOTONIC stamp,
 * taken just before the feed sent it.
 *
 * Waiting for the next quote spins on hftipc_channel_receive() (no system call) for up to
 * --spin-us microseconds after the last quote, then falls back to hftipc_channel_wait(), which
 * sleeps on the channel's futex until the feed publishes. At a fixed rate whose gaps are shorter
 * than the spin budget (100,000 quotes/s is a quote every 10 us), it never sleeps, so the
 * latency is the transport's and not a wake-up's.
 *
 * At the end record it prints the signals, the counts and p50/p99/p99.9/max of the latency
 * (exact: every sample is kept and sorted), excluding the first --warmup quotes, whose first
 * touches of the ring's pages are page faults.
 *
 *   md_algo --path /dev/shm/md-quotes [--spin-us 200] [--warmup 10000]
 */
#define _POSIX_C_SOURCE 200809L

#include "sample_util.h"

#include <hftipc.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Written by samples/market-data/feed; little-endian like every target hftipc supports. */
struct md_quote {
    uint16_t version, kind; /* 1; 1 = quote, 2 = end of stream (seq = quotes sent) */
    uint32_t symbol_id;     /* index of the symbol, 0..7 */
    uint64_t seq;           /* 0, 1, 2, ...: a gap is a lost quote */
    int64_t send_ns;        /* CLOCK_MONOTONIC just before the send */
    int64_t bid_e8, ask_e8; /* prices x 1e8 */
    uint32_t bid_size, ask_size;
    char symbol[16]; /* ASCII, NUL-padded */
};
_Static_assert(sizeof(struct md_quote) == 64, "the quote record is 64 bytes");

enum { MD_VERSION = 1, MD_QUOTE = 1, MD_END = 2, MD_SYMBOLS = 8, MD_SLOT = 72 };

/* Moving-average crossover: fast and slow exponential averages of the mid, in 1e8 units. A
 * crossing of the fast one over the slow one goes long one lot, under it goes short. */
struct md_book {
    char symbol[17];
    double fast, slow;
    int position; /* -1, 0, +1 */
    uint64_t quotes, signals;
    double pnl_e8, entry_e8;
};

static const char usage[] =
    "usage: md_algo --path CHANNEL [--spin-us N] [--warmup N] [--capacity N]\n"
    "Consumes market-data quotes, runs a moving-average crossover per symbol and\n"
    "prints the latency of the quotes (p50/p99/p99.9/max) at the end record.\n"
    "  --spin-us N   spin this long for the next quote before sleeping (default 200)\n"
    "  --warmup N    leave the first N quotes out of the latency figures (default 10000)\n"
    "  --capacity N  ring slots if the channel is created here (default 4096)\n";

static void on_quote(struct md_book *b, const struct md_quote *q)
{
    double mid = ((double)q->bid_e8 + (double)q->ask_e8) / 2;
    if (b->quotes++ == 0) {
        b->fast = b->slow = mid;
        memcpy(b->symbol, q->symbol, 16);
        return;
    }
    b->fast += (mid - b->fast) / 8;
    b->slow += (mid - b->slow) / 64;
    int want = b->fast > b->slow ? 1 : b->fast < b->slow ? -1 : b->position;
    if (want != b->position) {
        if (b->position != 0)
            b->pnl_e8 += (mid - b->entry_e8) * b->position;
        b->position = want;
        b->entry_e8 = mid;
        b->signals++;
    }
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    unsigned long spin_us = 200, warmup = 10000, capacity = 4096;
    const struct sample_opt opts[] = {
        {"--path", SAMPLE_OPT_STRING, &path},
        {"--spin-us", SAMPLE_OPT_ULONG, &spin_us},
        {"--warmup", SAMPLE_OPT_ULONG, &warmup},
        {"--capacity", SAMPLE_OPT_ULONG, &capacity},
        {NULL, 0, NULL},
    };
    sample_parse_args(argc, argv, opts, usage);
    if (path == NULL) {
        fputs(usage, stderr);
        return 2;
    }
    sample_catch_signals();

    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = (uint32_t)capacity;
    o.slot_size = MD_SLOT;
    hftipc_channel_t *in;
    int rc = hftipc_channel_open_or_create(path, &o, HFTIPC_ROLE_CONSUMER, &in);
    if (rc != HFTIPC_OK)
        sample_die("algo", "open (consumer)", path, rc);
    printf("algo: ready: consuming %s (hftipc %s), spinning %lu us before sleeping\n", path,
           hftipc_version_string(), spin_us);
    fflush(stdout);

    static struct md_book books[MD_SYMBOLS];
    struct sample_latencies lat = {0};
    struct md_quote q;
    uint64_t received = 0, gaps = 0, bad = 0, expected = 0, sent = 0, sleeps = 0;
    int64_t spin_ns = (int64_t)spin_us * 1000, last_ns = sample_now_ns();
    for (;;) {
        int64_t n = hftipc_channel_receive(in, &q, sizeof q);
        if (n == HFTIPC_EEMPTY) {
            if (sample_stop_requested) {
                fprintf(stderr, "algo: interrupted before the end record\n");
                return 130;
            }
            if (sample_now_ns() - last_ns < spin_ns)
                continue; /* spin: the next quote is due within the budget */
            /* A pause in the feed: sleep on the futex until it publishes, 100 ms at most so
             * that a signal is noticed. */
            sleeps++;
            rc = hftipc_channel_wait(in, 100 * 1000000LL);
            if (rc != HFTIPC_OK && rc != HFTIPC_ETIMEDOUT)
                sample_die("algo", "wait on", path, rc);
            last_ns = sample_now_ns();
            continue;
        }
        if (n < 0)
            sample_die("algo", "receive from", path, n);
        int64_t now = sample_now_ns();
        last_ns = now;
        if (n != (int64_t)sizeof q || q.version != MD_VERSION) {
            bad++;
            continue;
        }
        if (q.kind == MD_END) {
            sent = q.seq;
            break;
        }
        if (q.kind != MD_QUOTE || q.symbol_id >= MD_SYMBOLS) {
            bad++;
            continue;
        }
        if (q.seq != expected)
            gaps++;
        expected = q.seq + 1;
        if (received++ >= warmup)
            sample_latency_add(&lat, now - q.send_ns);
        on_quote(&books[q.symbol_id], &q);
    }

    printf("algo: moving-average crossover per symbol:\n");
    for (int i = 0; i < MD_SYMBOLS; i++) {
        const struct md_book *b = &books[i];
        if (b->quotes)
            printf("  %-8s quotes %8" PRIu64 "  signals %6" PRIu64 "  position %+d  pnl %12.2f\n",
                   b->symbol, b->quotes, b->signals, b->position, b->pnl_e8 / 1e8);
    }
    int sorted = 0;
    int64_t p50 = sample_latency_quantile(&lat, 0.50, &sorted);
    int64_t p99 = sample_latency_quantile(&lat, 0.99, &sorted);
    int64_t p999 = sample_latency_quantile(&lat, 0.999, &sorted);
    int64_t max = lat.n ? lat.v[lat.n - 1] : 0;
    printf("algo: received %" PRIu64 " of %" PRIu64 " quotes, %" PRIu64 " sequence gaps, %" PRIu64
           " bad records, slept %" PRIu64 " times\n",
           received, sent, gaps, bad, sleeps);
    printf("algo: latency feed -> algo over %zu quotes (the first %lu left out):\n", lat.n, warmup);
    printf("  %10s %10s %10s %10s\n", "p50", "p99", "p99.9", "max");
    printf("  %7.2f us %7.2f us %7.2f us %7.2f us\n", (double)p50 / 1e3, (double)p99 / 1e3,
           (double)p999 / 1e3, (double)max / 1e3);
    printf("RESULT algo received=%" PRIu64 " sent=%" PRIu64 " gaps=%" PRIu64 " bad=%" PRIu64
           " samples=%zu p50_ns=%" PRId64 " p99_ns=%" PRId64 " p999_ns=%" PRId64 " max_ns=%" PRId64
           " sleeps=%" PRIu64 "\n",
           received, sent, gaps, bad, lat.n, p50, p99, p999, max, sleeps);
    free(lat.v);
    hftipc_channel_close(in);
    return received == sent && gaps == 0 && bad == 0 ? 0 : 1;
}
