/*
 * hftipc demo engine: the C process in the middle of the demo pipeline
 *
 *     Go gateway --quotes channel--> C engine --book channel--> JVM service
 *
 * It consumes 64-byte quote records (layout: bindings/go/README.md, "Quote record layout"),
 * keeps a per-symbol top of book (best bid and ask, cumulative quoted volume, quote count) and
 * publishes one 96-byte "book update" record per quote (layout: demo/README.md) into the book
 * channel. The end-of-stream record of the gateway is forwarded as an end-of-stream book record
 * that carries the engine's counts, so the service can check that nothing was lost.
 *
 * Receiving uses the batch path (one cursor store per batch) and sleeps in
 * hftipc_channel_wait() when the ring is empty; publishing uses hftipc_channel_send_batch() and
 * waits the same way when the book ring is full. With --spin-us N (the demo's fixed-rate run)
 * an empty ring is polled without a system call for up to N microseconds after the last quote
 * before the engine sleeps, so that quotes arriving at a steady rate never wait for a wake-up.
 * Timestamps are CLOCK_REALTIME nanoseconds, the clock the Go gateway (time.Now().UnixNano()) and
 * the Java service can also read.
 *
 * At the end it prints a human summary and one machine-readable "RESULT engine ..." line that
 * scripts/demo.sh parses.
 *
 *   hftipc_engine --in /dev/shm/hftipc-demo-quotes --out /dev/shm/hftipc-demo-book
 */
#define _POSIX_C_SOURCE 200809L

#include <hftipc.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- Records ------------------------------------------------------------------------------ */

/* Written by the Go gateway; little-endian, as is every target hftipc supports. */
struct quote_v1 {
    uint16_t version, kind;
    uint32_t reserved;
    uint64_t seq;
    int64_t ts_ns, bid_e8, ask_e8;
    uint32_t bid_size, ask_size;
    char symbol[16];
};
_Static_assert(sizeof(struct quote_v1) == 64, "quote record is 64 bytes");

enum { QUOTE_VERSION = 1, QUOTE_KIND_QUOTE = 1, QUOTE_KIND_END = 2 };

/* Published by this engine, read by demo/service/Service.java (demo/README.md). */
struct book_v1 {
    uint16_t version, kind; /* 1; 1 = update, 2 = end of stream */
    uint32_t reserved;
    uint64_t seq;        /* update: the quote's seq; end: quotes the engine received */
    int64_t gw_ts_ns;    /* update: the quote's gateway timestamp (CLOCK_REALTIME ns) */
    int64_t eng_ts_ns;   /* when the engine published the record (CLOCK_REALTIME ns) */
    int64_t best_bid_e8; /* prices x 1e8 */
    int64_t best_ask_e8;
    int64_t mid_e8;       /* (bid + ask) / 2, rounded down */
    int64_t spread_e8;    /* ask - bid */
    uint64_t cum_volume;  /* update: bid_size + ask_size summed over the symbol's quotes;
                             end: the quote count the gateway's end record announced */
    uint64_t quote_count; /* update: quotes seen for the symbol; end: records published */
    char symbol[16];
};
_Static_assert(sizeof(struct book_v1) == 96, "book record is 96 bytes");

enum { BOOK_VERSION = 1, BOOK_KIND_UPDATE = 1, BOOK_KIND_END = 2 };

/* Channel geometry: the gateway's default (4096 slots of 64 + 8 bytes), and the book channel. */
enum { QUOTE_SLOT = 72, BOOK_SLOT = 104, BATCH = 256, MAX_SYMBOLS = 256 };

/* ---- Latency histogram: log-linear buckets, 32 per power of two (under 3.2 % error) ------- */

enum { SUB_BITS = 5, NBUCKETS = 64 << SUB_BITS };

struct histogram {
    uint64_t count[NBUCKETS];
    uint64_t n, max, negative;
    long double sum;
};

static unsigned bucket_of(uint64_t v)
{
    if (v < (1u << SUB_BITS))
        return (unsigned)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);
    unsigned shift = msb - SUB_BITS;
    return ((shift + 1) << SUB_BITS) + (unsigned)((v >> shift) & ((1u << SUB_BITS) - 1));
}

/* The largest value that falls in bucket b. */
static uint64_t bucket_high(unsigned b)
{
    if (b < (1u << SUB_BITS))
        return b;
    unsigned shift = (b >> SUB_BITS) - 1;
    uint64_t m = (b & ((1u << SUB_BITS) - 1)) | (1u << SUB_BITS);
    return ((m + 1) << shift) - 1;
}

static void hist_add(struct histogram *h, int64_t v)
{
    if (v < 0) { /* the realtime clock stepped between two readings */
        h->negative++;
        v = 0;
    }
    h->count[bucket_of((uint64_t)v)]++;
    h->n++;
    h->sum += (long double)v;
    if ((uint64_t)v > h->max)
        h->max = (uint64_t)v;
}

static uint64_t hist_quantile(const struct histogram *h, double q)
{
    if (h->n == 0)
        return 0;
    uint64_t rank = (uint64_t)(q * (double)h->n + 0.999999);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned b = 0; b < NBUCKETS; b++) {
        seen += h->count[b];
        if (seen >= rank)
            return bucket_high(b) < h->max ? bucket_high(b) : h->max;
    }
    return h->max;
}

/* ---- Book --------------------------------------------------------------------------------- */

struct symbol_book {
    char symbol[16];
    int64_t bid_e8, ask_e8;
    uint64_t volume, quotes;
};

static struct symbol_book books[MAX_SYMBOLS];
static unsigned nbooks;

static struct symbol_book *book_for(const char symbol[16])
{
    for (unsigned i = 0; i < nbooks; i++)
        if (memcmp(books[i].symbol, symbol, 16) == 0)
            return &books[i];
    if (nbooks == MAX_SYMBOLS)
        return NULL;
    struct symbol_book *b = &books[nbooks++];
    memcpy(b->symbol, symbol, 16);
    return b;
}

/* ---- Helpers ------------------------------------------------------------------------------ */

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die_status(const char *what, const char *path, int64_t rc)
{
    fprintf(stderr, "engine: %s %s: %s [%s]\n", what, path, hftipc_strerror(rc),
            hftipc_err_name(rc));
    if (rc == HFTIPC_ENOSPC)
        fprintf(stderr,
                "engine: the file system of %s is full: free space there, or run the "
                "demo with --dir on another file system\n",
                path);
    exit(1);
}

/* Publish `count` records, waiting while the book ring is full. */
static void publish(hftipc_channel_t *out, const char *path, const struct book_v1 *recs,
                    size_t count)
{
    static uint32_t lens[BATCH];
    for (size_t i = 0; i < count; i++)
        lens[i] = sizeof(struct book_v1);
    size_t done = 0;
    while (done < count) {
        int64_t n = hftipc_channel_send_batch(out, recs + done, (count - done) * sizeof *recs,
                                              lens + done, count - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n != HFTIPC_EFULL)
            die_status("send to", path, n);
        if (stop_requested)
            exit(130);
        int rc = hftipc_channel_wait(out, 200 * 1000000LL); /* until the service frees a slot */
        if (rc != HFTIPC_OK && rc != HFTIPC_ETIMEDOUT)
            die_status("wait on", path, rc);
    }
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: hftipc_engine --in QUOTES_CHANNEL --out BOOK_CHANNEL [--capacity N]\n"
            "                     [--spin-us N] [--warmup N]\n"
            "Consumes quote records, keeps a per-symbol book, publishes book updates.\n"
            "Both channels are opened, or created (QUOTES: N slots of %d bytes, default "
            "4096; BOOK: N slots of %d bytes).\n"
            "  --spin-us N  poll an empty ring for up to N us after the last quote before\n"
            "               sleeping (default 0: sleep at once)\n"
            "  --warmup N   leave the first N quotes out of the latency figures (default 0)\n",
            QUOTE_SLOT, BOOK_SLOT);
}

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *in_path = NULL, *out_path = NULL;
    unsigned long capacity = 4096, warmup = 0;
    long spin_us = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--in") == 0 && i + 1 < argc) {
            in_path = argv[++i];
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            out_path = argv[++i];
        } else if (strcmp(argv[i], "--capacity") == 0 && i + 1 < argc) {
            capacity = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--spin-us") == 0 && i + 1 < argc) {
            spin_us = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--warmup") == 0 && i + 1 < argc) {
            warmup = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!in_path || !out_path || spin_us < 0) {
        usage(stderr);
        return 2;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = (uint32_t)capacity;
    o.slot_size = QUOTE_SLOT;
    hftipc_channel_t *in, *out;
    int rc = hftipc_channel_open_or_create(in_path, &o, HFTIPC_ROLE_CONSUMER, &in);
    if (rc != HFTIPC_OK)
        die_status("open (consumer)", in_path, rc);
    o.slot_size = BOOK_SLOT;
    rc = hftipc_channel_open_or_create(out_path, &o, HFTIPC_ROLE_PRODUCER, &out);
    if (rc != HFTIPC_OK)
        die_status("open (producer)", out_path, rc);
    printf("engine: ready: consuming %s, publishing %s (hftipc %s)\n", in_path, out_path,
           hftipc_version_string());
    fflush(stdout);

    static struct quote_v1 qbuf[BATCH];
    static uint32_t qlens[BATCH];
    static struct book_v1 obuf[BATCH];
    static struct histogram gw_to_engine;
    uint64_t received = 0, published = 0, gaps = 0, bad = 0, expected_seq = 0;
    uint64_t gateway_count = 0;
    int64_t first_ns = 0, last_ns = 0;
    int ended = 0;
    const int64_t spin_ns = spin_us * 1000;
    int64_t idle_since = monotonic_ns();

    while (!ended) {
        int64_t n = hftipc_channel_receive_batch(in, qbuf, sizeof qbuf, qlens, BATCH);
        if (n == HFTIPC_EEMPTY) {
            if (stop_requested) {
                fprintf(stderr, "engine: interrupted before the end of the stream\n");
                return 130;
            }
            if (spin_ns > 0 && monotonic_ns() - idle_since < spin_ns)
                continue; /* the next quote is due within the spin budget: poll again */
            /* Sleep until the gateway publishes (futex in the file), at most 200 ms so that a
             * signal is noticed. */
            rc = hftipc_channel_wait(in, 200 * 1000000LL);
            if (rc != HFTIPC_OK && rc != HFTIPC_ETIMEDOUT)
                die_status("wait on", in_path, rc);
            idle_since = monotonic_ns();
            continue;
        }
        if (n < 0)
            die_status("receive from", in_path, n);
        if (spin_ns > 0)
            idle_since = monotonic_ns();

        int64_t now = realtime_ns(); /* every record of the batch arrived by now */
        if (first_ns == 0)
            first_ns = now;
        last_ns = now;
        size_t nout = 0;
        for (int64_t i = 0; i < n; i++) {
            const struct quote_v1 *q = &qbuf[i];
            if (qlens[i] != sizeof *q || q->version != QUOTE_VERSION) {
                bad++;
                continue;
            }
            if (q->kind == QUOTE_KIND_END) {
                gateway_count = q->seq;
                ended = 1;
                break; /* nothing follows the end record */
            }
            if (q->kind != QUOTE_KIND_QUOTE) {
                bad++;
                continue;
            }
            received++;
            if (q->seq != expected_seq)
                gaps++;
            expected_seq = q->seq + 1;
            if (received > warmup)
                hist_add(&gw_to_engine, now - q->ts_ns);

            struct book_v1 *r = &obuf[nout++];
            memset(r, 0, sizeof *r);
            r->version = BOOK_VERSION;
            r->kind = BOOK_KIND_UPDATE;
            r->seq = q->seq;
            r->gw_ts_ns = q->ts_ns;
            memcpy(r->symbol, q->symbol, sizeof r->symbol);
            struct symbol_book *b = book_for(q->symbol);
            if (b) {
                b->bid_e8 = q->bid_e8;
                b->ask_e8 = q->ask_e8;
                b->volume += (uint64_t)q->bid_size + q->ask_size;
                b->quotes++;
                r->best_bid_e8 = b->bid_e8;
                r->best_ask_e8 = b->ask_e8;
                r->mid_e8 = (b->bid_e8 + b->ask_e8) / 2;
                r->spread_e8 = b->ask_e8 - b->bid_e8;
                r->cum_volume = b->volume;
                r->quote_count = b->quotes;
            }
        }
        if (nout > 0) {
            int64_t eng_ts = realtime_ns();
            for (size_t i = 0; i < nout; i++)
                obuf[i].eng_ts_ns = eng_ts;
            publish(out, out_path, obuf, nout);
            published += nout;
        }
    }

    struct book_v1 end;
    memset(&end, 0, sizeof end);
    end.version = BOOK_VERSION;
    end.kind = BOOK_KIND_END;
    end.seq = received;
    end.eng_ts_ns = realtime_ns();
    end.cum_volume = gateway_count;
    end.quote_count = published;
    publish(out, out_path, &end, 1);

    hftipc_info_t info;
    memset(&info, 0, sizeof info);
    info.size = sizeof info;
    uint64_t out_full = 0;
    if (hftipc_channel_stats(out, &info) == HFTIPC_OK)
        out_full = info.full_count;

    double secs = last_ns > first_ns ? (double)(last_ns - first_ns) / 1e9 : 0;
    printf("engine: received %" PRIu64 " quotes (gateway announced %" PRIu64 "), published %" PRIu64
           " book updates, %" PRIu64 " sequence gaps, %" PRIu64 " bad records\n",
           received, gateway_count, published, gaps, bad);
    printf("engine: book at the end of the stream:\n");
    for (unsigned i = 0; i < nbooks; i++) {
        const struct symbol_book *b = &books[i];
        printf("  %-10.16s bid %14.4f  ask %14.4f  quotes %9" PRIu64 "  volume %12" PRIu64 "\n",
               b->symbol, (double)b->bid_e8 / 1e8, (double)b->ask_e8 / 1e8, b->quotes, b->volume);
    }
    const struct histogram *h = &gw_to_engine;
    printf("RESULT engine received=%" PRIu64 " published=%" PRIu64 " gateway_count=%" PRIu64
           " gaps=%" PRIu64 " bad=%" PRIu64 " first_ns=%" PRId64 " last_ns=%" PRId64
           " secs=%.6f p50_ns=%" PRIu64 " p99_ns=%" PRIu64 " p999_ns=%" PRIu64 " max_ns=%" PRIu64
           " mean_ns=%.0f negative=%" PRIu64 " book_full=%" PRIu64 "\n",
           received, published, gateway_count, gaps, bad, first_ns, last_ns, secs,
           hist_quantile(h, 0.50), hist_quantile(h, 0.99), hist_quantile(h, 0.999), h->max,
           h->n ? (double)(h->sum / (long double)h->n) : 0.0, h->negative, out_full);
    fflush(stdout);

    hftipc_channel_close(out);
    hftipc_channel_close(in);
    int ok = received == gateway_count && published == received && gaps == 0 && bad == 0;
    return ok ? 0 : 1;
}
