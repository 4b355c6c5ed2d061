/*
 * C interop peer. The Go peer (../go/main.go) and the Java peer (../java/Peer.java) implement
 * the same command-line interface and the same message function; run.sh pairs them up.
 *
 *   peer write PATH COUNT SEED [PACE]     produce messages head..COUNT-1 (resumes at the file's
 * head) peer read PATH COUNT SEED [PACE]      consume messages tail..COUNT-1, verifying each one
 *   peer read-ack PATH COUNT SEED PROGRESS [PACE]
 *                                         consume with peek/ack, one message at a time, writing
 *                                         the number of messages verified to PROGRESS before
 *                                         each ack (crash tests); the PACE pause sits between
 *                                         the progress write and the ack
 *   peer expect COUNT SEED                checksum of messages 0..COUNT-1, without a channel
 *   peer scenario PATH                    the fixed layout scenario (creates PATH)
 *   peer golden PATH EXPECT               check a golden file against its expectation file
 *   peer open PATH                        print the status of opening PATH as consumer
 *   peer mpsc-write PATH ID NPRODUCERS COUNT SEED [PACE]
 *                                         one of NPRODUCERS MPSC producers (all start once
 *                                         NPRODUCERS hold the role): messages 0..COUNT-1 of
 *                                         producer ID (8-byte id/seq prefix, see mpsc_message)
 *   peer mpsc-read PATH NPRODUCERS COUNT SEED [STOPFILE]
 *                                         (C only) create an MPSC channel and consume it,
 *                                         checking per-producer order and every byte
 *   peer mpsc-expect ID COUNT SEED [MAX]  (C only) checksum of producer ID's messages 0..COUNT-1
 *
 * write/read print "<verb> start=S end=E checksum=HEX"; the checksum is FNV-1a 64 over each
 * message's 4-byte little-endian length followed by its bytes, for the messages S..E-1.
 * PACE, when > 0, sleeps 1 ms after every PACE messages (so a crash test can kill mid-stream).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hftipc.h"

#define CHUNK 64

static int die(const char *what, int64_t rc)
{
    fprintf(stderr, "c-peer: %s: %s (%s)\n", what, hftipc_err_name(rc), hftipc_strerror(rc));
    exit(1);
}

/* ---- Message function: identical in the three peers --------------------------------------- */

static uint64_t xs_next(uint64_t x)
{
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

/* Writes message `seq` into out (max_payload bytes of room); returns its length. */
static uint32_t gen_message(uint64_t seed, uint64_t seq, uint32_t max_payload, uint8_t *out)
{
    uint64_t r = seed ^ (seq * 0x9E3779B97F4A7C15ull);
    if (r == 0)
        r = 0x9E3779B97F4A7C15ull;
    r = xs_next(r);
    uint32_t k = (uint32_t)(seq % 16), len;
    if (k == 0)
        len = 0;
    else if (k == 1)
        len = max_payload;
    else
        len = (uint32_t)(r % ((uint64_t)max_payload + 1));
    for (uint32_t i = 0; i < len; i++) {
        if (i % 8 == 0)
            r = xs_next(r);
        out[i] = (uint8_t)(r >> (8 * (i % 8)));
    }
    if (len >= 8)
        for (int i = 0; i < 8; i++)
            out[i] = (uint8_t)(seq >> (8 * i));
    return len;
}

static uint64_t fnv(uint64_t h, const uint8_t *p, uint32_t len)
{
    uint8_t l[4] = {(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16), (uint8_t)(len >> 24)};
    for (int i = 0; i < 4; i++)
        h = (h ^ l[i]) * 0x100000001b3ull;
    for (uint32_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}
#define FNV_INIT 0xcbf29ce484222325ull

/* ---- Helpers ------------------------------------------------------------------------------- */

static void backoff(unsigned *attempt)
{
    unsigned a = (*attempt)++;
    if (a < 64)
        __asm__ __volatile__("" ::: "memory");
    else if (a < 128)
        sched_yield();
    else {
        struct timespec ts = {0, 20000};
        nanosleep(&ts, NULL);
    }
}

static void pace(uint64_t done_before, uint64_t done_after, uint64_t pace_n)
{
    if (pace_n > 0 && done_before / pace_n != done_after / pace_n) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

static uint64_t parse_u64(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || end == s) {
        fprintf(stderr, "c-peer: bad number '%s'\n", s);
        exit(2);
    }
    return v;
}

static hftipc_channel_t *open_role(const char *path, hftipc_role_t role)
{
    hftipc_channel_t *ch;
    int rc = hftipc_channel_open(path, role, &ch);
    if (rc)
        die("open", rc);
    return ch;
}

static void mismatch(uint64_t seq, uint32_t got_len, uint32_t want_len, const uint8_t *got,
                     const uint8_t *want)
{
    uint32_t i = 0;
    if (got_len == want_len)
        while (i < got_len && got[i] == want[i])
            i++;
    fprintf(stderr, "c-peer: message %" PRIu64 " differs: length %u (want %u), first bad byte %u\n",
            seq, got_len, want_len, i);
    exit(1);
}

/* ---- write / read -------------------------------------------------------------------------- */

static int cmd_write(const char *path, uint64_t count, uint64_t seed, uint64_t pace_n)
{
    hftipc_channel_t *ch = open_role(path, HFTIPC_ROLE_PRODUCER);
    hftipc_info_t info = {.size = sizeof info};
    hftipc_channel_stats(ch, &info);
    uint32_t max = hftipc_channel_max_payload(ch);
    uint8_t *buf = malloc((size_t)max * CHUNK + 1);
    uint32_t lens[CHUNK];
    uint64_t seq = info.head, start = seq, h = FNV_INIT, chunk = 0;
    unsigned attempt = 0;
    while (seq < count) {
        uint64_t before = seq;
        uint32_t n = (uint32_t)(count - seq < CHUNK ? count - seq : CHUNK);
        switch (chunk++ % 8) {
        case 5:
        case 6: /* claim/commit, generated in place */
            for (uint32_t i = 0; i < n;) {
                void *slot;
                uint32_t cap;
                int rc = hftipc_channel_try_claim(ch, &slot, &cap);
                if (rc == HFTIPC_EFULL) {
                    backoff(&attempt);
                    continue;
                }
                if (rc)
                    die("try_claim", rc);
                attempt = 0;
                uint32_t len = gen_message(seed, seq, max, slot);
                h = fnv(h, slot, len);
                if ((rc = hftipc_channel_commit(ch, len)))
                    die("commit", rc);
                seq++, i++;
            }
            break;
        case 7: /* single sends */
            for (uint32_t i = 0; i < n;) {
                uint32_t len = gen_message(seed, seq, max, buf);
                int rc = hftipc_channel_send(ch, buf, len);
                if (rc == HFTIPC_EFULL) {
                    backoff(&attempt);
                    continue;
                }
                if (rc)
                    die("send", rc);
                attempt = 0;
                h = fnv(h, buf, len);
                seq++, i++;
            }
            break;
        default: { /* batch */
            size_t off = 0;
            for (uint32_t i = 0; i < n; i++) {
                lens[i] = gen_message(seed, seq + i, max, buf + off);
                off += lens[i];
            }
            uint32_t sent = 0;
            off = 0;
            while (sent < n) {
                size_t total = 0;
                for (uint32_t i = sent; i < n; i++)
                    total += lens[i];
                int64_t rc = hftipc_channel_send_batch(ch, buf + off, total, lens + sent, n - sent);
                if (rc == HFTIPC_EFULL) {
                    backoff(&attempt);
                    continue;
                }
                if (rc < 0)
                    die("send_batch", rc);
                attempt = 0;
                for (int64_t i = 0; i < rc; i++) {
                    h = fnv(h, buf + off, lens[sent]);
                    off += lens[sent++];
                }
            }
            seq += n;
        }
        }
        pace(before - start, seq - start, pace_n);
    }
    printf("write start=%" PRIu64 " end=%" PRIu64 " checksum=%016" PRIx64 "\n", start, seq, h);
    hftipc_channel_close(ch);
    free(buf);
    return 0;
}

static int cmd_read(const char *path, uint64_t count, uint64_t seed, uint64_t pace_n)
{
    hftipc_channel_t *ch = open_role(path, HFTIPC_ROLE_CONSUMER);
    hftipc_info_t info = {.size = sizeof info};
    hftipc_channel_stats(ch, &info);
    uint32_t max = hftipc_channel_max_payload(ch);
    uint8_t *buf = malloc((size_t)max * CHUNK + 1), *want = malloc(max + 1);
    uint32_t lens[CHUNK];
    uint64_t seq = info.tail, start = seq, h = FNV_INIT, iter = 0;
    unsigned attempt = 0;
    while (seq < count) {
        uint64_t before = seq;
        uint32_t n = (uint32_t)(count - seq < CHUNK ? count - seq : CHUNK);
        switch (iter++ % 8) {
        case 5:
        case 6: /* peek/ack */
            for (uint32_t i = 0; i < n;) {
                const void *p;
                int64_t len = hftipc_channel_peek(ch, &p);
                if (len == HFTIPC_EEMPTY) {
                    backoff(&attempt);
                    continue;
                }
                if (len < 0)
                    die("peek", len);
                attempt = 0;
                uint32_t wl = gen_message(seed, seq, max, want);
                if ((uint32_t)len != wl || memcmp(p, want, wl))
                    mismatch(seq, (uint32_t)len, wl, p, want);
                h = fnv(h, p, wl);
                int rc = hftipc_channel_ack(ch);
                if (rc)
                    die("ack", rc);
                seq++, i++;
            }
            break;
        case 7: /* single receives */
            for (uint32_t i = 0; i < n;) {
                int64_t len = hftipc_channel_receive(ch, buf, max);
                if (len == HFTIPC_EEMPTY) {
                    backoff(&attempt);
                    continue;
                }
                if (len < 0)
                    die("receive", len);
                attempt = 0;
                uint32_t wl = gen_message(seed, seq, max, want);
                if ((uint32_t)len != wl || memcmp(buf, want, wl))
                    mismatch(seq, (uint32_t)len, wl, buf, want);
                h = fnv(h, buf, wl);
                seq++, i++;
            }
            break;
        default: {
            int64_t got = hftipc_channel_receive_batch(ch, buf, (size_t)max * CHUNK, lens, n);
            if (got == HFTIPC_EEMPTY) {
                backoff(&attempt);
                break;
            }
            if (got < 0)
                die("receive_batch", got);
            attempt = 0;
            size_t off = 0;
            for (int64_t i = 0; i < got; i++) {
                uint32_t wl = gen_message(seed, seq, max, want);
                if (lens[i] != wl || memcmp(buf + off, want, wl))
                    mismatch(seq, lens[i], wl, buf + off, want);
                h = fnv(h, buf + off, wl);
                off += lens[i];
                seq++;
            }
        }
        }
        pace(before - start, seq - start, pace_n);
    }
    printf("read start=%" PRIu64 " end=%" PRIu64 " checksum=%016" PRIx64 "\n", start, seq, h);
    hftipc_channel_close(ch);
    free(buf);
    free(want);
    return 0;
}

static void write_progress(int fd, uint64_t v)
{
    char s[22];
    snprintf(s, sizeof s, "%020" PRIu64 "\n", v);
    if (pwrite(fd, s, 21, 0) != 21) {
        perror("c-peer: progress");
        exit(1);
    }
}

static int cmd_read_ack(const char *path, uint64_t count, uint64_t seed, const char *progress,
                        uint64_t pace_n)
{
    hftipc_channel_t *ch = open_role(path, HFTIPC_ROLE_CONSUMER);
    hftipc_info_t info = {.size = sizeof info};
    hftipc_channel_stats(ch, &info);
    uint32_t max = hftipc_channel_max_payload(ch);
    uint8_t *want = malloc(max + 1);
    int fd = open(progress, O_WRONLY | O_CREAT, 0644);
    if (fd < 0) {
        perror("c-peer: progress");
        return 1;
    }
    uint64_t seq = info.tail, start = seq;
    unsigned attempt = 0;
    printf("read-ack start=%" PRIu64 "\n", start);
    fflush(stdout);
    while (seq < count) {
        const void *p;
        int64_t len = hftipc_channel_peek(ch, &p);
        if (len == HFTIPC_EEMPTY) {
            backoff(&attempt);
            continue;
        }
        if (len < 0)
            die("peek", len);
        attempt = 0;
        uint32_t wl = gen_message(seed, seq, max, want);
        if ((uint32_t)len != wl || memcmp(p, want, wl))
            mismatch(seq, (uint32_t)len, wl, p, want);
        write_progress(fd, seq + 1);
        /* Pause between delivery and ack, so that a kill is likely to land there and the next
         * consumer gets this message again (at-least-once). */
        pace(seq - start, seq + 1 - start, pace_n);
        int rc = hftipc_channel_ack(ch);
        if (rc)
            die("ack", rc);
        seq++;
    }
    printf("read-ack end=%" PRIu64 "\n", seq);
    hftipc_channel_close(ch);
    close(fd);
    free(want);
    return 0;
}

static int cmd_expect(uint64_t count, uint64_t seed, uint32_t max)
{
    uint8_t *buf = malloc(max + 1);
    uint64_t h = FNV_INIT;
    for (uint64_t s = 0; s < count; s++) {
        uint32_t len = gen_message(seed, s, max, buf);
        h = fnv(h, buf, len);
    }
    printf("expect start=0 end=%" PRIu64 " checksum=%016" PRIx64 "\n", count, h);
    free(buf);
    return 0;
}

/* ---- MPSC: several producers (one per language), one C consumer ------------------------------ */

/* Message `seq` of producer `id`: an 8-byte prefix (id, then seq, each 4 bytes little-endian)
 * and a body made by gen_message with the seed of that producer and max_payload - 8 bytes of
 * room, so messages are 8 .. max_payload bytes long. Identical in the three peers. */
static uint64_t mpsc_seed(uint64_t seed, uint32_t id)
{
    return seed ^ ((uint64_t)(id + 1) * 0xD1B54A32D192ED03ull);
}

static uint32_t mpsc_message(uint64_t seed, uint32_t id, uint64_t seq, uint32_t max_payload,
                             uint8_t *out)
{
    for (int i = 0; i < 4; i++) {
        out[i] = (uint8_t)(id >> (8 * i));
        out[4 + i] = (uint8_t)(seq >> (8 * i));
    }
    return 8 + gen_message(mpsc_seed(seed, id), seq, max_payload - 8, out + 8);
}

/* mpsc-write PATH ID NPRODUCERS COUNT SEED [PACE]: open as one of the producers, wait until
 * NPRODUCERS producers hold the role, and send messages 0..COUNT-1 of producer ID, cycling by
 * chunks of 64 through batch sends (2 in 4), claim/commit (1 in 4) and blocking single sends (1 in
 * 4); on a full ring it waits in the core (hftipc_channel_wait). Prints "mpsc-write id=I count=N
 * checksum=HEX". */
static int cmd_mpsc_write(const char *path, uint32_t id, uint32_t nprod, uint64_t count,
                          uint64_t seed, uint64_t pace_n)
{
    hftipc_channel_t *ch = open_role(path, HFTIPC_ROLE_PRODUCER);
    /* Start line: wait (up to 60 s) until all NPRODUCERS hold the role, so they really overlap. */
    hftipc_info_t info = {.size = sizeof info};
    for (int i = 0; hftipc_channel_stats(ch, &info) == 0 && info.producer_count < nprod; i++) {
        if (i == 60000) {
            fprintf(stderr, "c-peer: only %u of %u producers opened the channel\n",
                    info.producer_count, nprod);
            return 1;
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
        info.size = sizeof info;
    }
    uint32_t max = hftipc_channel_max_payload(ch);
    uint8_t *buf = malloc((size_t)max * CHUNK + 1);
    uint32_t lens[CHUNK];
    uint64_t seq = 0, h = FNV_INIT, chunk = 0;
    int rc;
    while (seq < count) {
        uint64_t before = seq;
        uint32_t n = (uint32_t)(count - seq < CHUNK ? count - seq : CHUNK);
        switch (chunk++ % 4) {
        case 2: /* claim/commit, generated in place */
            for (uint32_t i = 0; i < n;) {
                void *slot;
                uint32_t cap;
                rc = hftipc_channel_try_claim(ch, &slot, &cap);
                if (rc == HFTIPC_EFULL) {
                    if ((rc = hftipc_channel_wait(ch, HFTIPC_WAIT_FOREVER)))
                        die("wait", rc);
                    continue;
                }
                if (rc)
                    die("try_claim", rc);
                uint32_t len = mpsc_message(seed, id, seq, max, slot);
                h = fnv(h, slot, len);
                if ((rc = hftipc_channel_commit(ch, len)))
                    die("commit", rc);
                seq++, i++;
            }
            break;
        case 3: /* blocking single sends */
            for (uint32_t i = 0; i < n; i++, seq++) {
                uint32_t len = mpsc_message(seed, id, seq, max, buf);
                if ((rc = hftipc_channel_send_wait(ch, buf, len, HFTIPC_WAIT_FOREVER)))
                    die("send_wait", rc);
                h = fnv(h, buf, len);
            }
            break;
        default: { /* batch */
            size_t off = 0;
            for (uint32_t i = 0; i < n; i++) {
                lens[i] = mpsc_message(seed, id, seq + i, max, buf + off);
                off += lens[i];
            }
            uint32_t sent = 0;
            off = 0;
            while (sent < n) {
                size_t total = 0;
                for (uint32_t i = sent; i < n; i++)
                    total += lens[i];
                int64_t k = hftipc_channel_send_batch(ch, buf + off, total, lens + sent, n - sent);
                if (k == HFTIPC_EFULL) {
                    if ((rc = hftipc_channel_wait(ch, HFTIPC_WAIT_FOREVER)))
                        die("wait", rc);
                    continue;
                }
                if (k < 0)
                    die("send_batch", k);
                for (int64_t i = 0; i < k; i++) {
                    h = fnv(h, buf + off, lens[sent]);
                    off += lens[sent++];
                }
            }
            seq += n;
        }
        }
        pace(before, seq, pace_n);
    }
    printf("mpsc-write id=%u count=%" PRIu64 " checksum=%016" PRIx64 "\n", id, seq, h);
    hftipc_channel_close(ch);
    free(buf);
    return 0;
}

struct mpsc_state {
    uint64_t seed;
    uint32_t nprod, max;
    uint64_t next[HFTIPC_MPSC_MAX_PRODUCERS], sum[HFTIPC_MPSC_MAX_PRODUCERS];
    uint8_t *want;
    uint32_t last;
    uint64_t switches; /* consecutive messages from different producers: the interleaving */
};

static void mpsc_verify(struct mpsc_state *st, const uint8_t *p, uint32_t len, uint64_t count)
{
    if (len < 8) {
        fprintf(stderr, "c-peer: mpsc message of %u bytes, shorter than its 8-byte prefix\n", len);
        exit(1);
    }
    uint32_t id = 0, seq32 = 0;
    for (int i = 0; i < 4; i++) {
        id |= (uint32_t)p[i] << (8 * i);
        seq32 |= (uint32_t)p[4 + i] << (8 * i);
    }
    if (id >= st->nprod) {
        fprintf(stderr, "c-peer: mpsc message from producer %u, only %u producers\n", id,
                st->nprod);
        exit(1);
    }
    uint64_t seq = st->next[id];
    if (seq32 != (uint32_t)seq || seq >= count) {
        fprintf(stderr,
                "c-peer: producer %u: message %u arrived, want %" PRIu64 " (lost, repeated or "
                "reordered)\n",
                id, seq32, seq);
        exit(1);
    }
    uint32_t wl = mpsc_message(st->seed, id, seq, st->max, st->want);
    if (len != wl || memcmp(p, st->want, wl)) {
        fprintf(stderr, "c-peer: producer %u: ", id);
        mismatch(seq, len, wl, p, st->want);
    }
    st->sum[id] = fnv(st->sum[id], p, len);
    st->switches += id != st->last;
    st->last = id;
    st->next[id] = seq + 1;
}

/* mpsc-read PATH NPRODUCERS COUNT SEED [STOPFILE]: create PATH as an MPSC channel of 1024 slots
 * of 128 bytes and hold its consumer role; consume until each of producers 0..NPRODUCERS-1 has
 * delivered COUNT messages, or (when given) STOPFILE exists and the ring is drained
 * (tail == head: every message consumed, abandoned claims skipped). Every message is checked:
 * its producer's next sequence number (per-producer order, no gap, no repeat) and every byte.
 * Batch receives (3 in 4) with hftipc_channel_wait on empty, and blocking single receives.
 * Prints "mpsc-read id=I count=N checksum=HEX" per producer, then
 * "mpsc-read total=N switches=S abandoned=A head=H tail=T" (S: how often consecutive messages
 * came from different producers). */
static int cmd_mpsc_read(const char *path, uint32_t nprod, uint64_t count, uint64_t seed,
                         const char *stopfile)
{
    if (nprod == 0 || nprod > HFTIPC_MPSC_MAX_PRODUCERS) {
        fprintf(stderr, "c-peer: NPRODUCERS must be 1..%d\n", HFTIPC_MPSC_MAX_PRODUCERS);
        return 2;
    }
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = 1024;
    o.slot_size = 128;
    o.mode = HFTIPC_MODE_MPSC;
    hftipc_channel_t *ch;
    int rc = hftipc_channel_create(path, &o, HFTIPC_ROLE_CONSUMER, &ch);
    if (rc)
        die("create", rc);
    struct mpsc_state st = {
        .seed = seed, .nprod = nprod, .max = hftipc_channel_max_payload(ch), .last = UINT32_MAX};
    for (uint32_t i = 0; i < nprod; i++)
        st.sum[i] = FNV_INIT;
    st.want = malloc(st.max + 1);
    uint8_t *buf = malloc((size_t)st.max * CHUNK + 1);
    uint32_t lens[CHUNK];
    uint64_t total = 0, iter = 0;
    const int64_t slice = 20 * 1000 * 1000; /* 20 ms, then look at STOPFILE */
    hftipc_info_t info = {.size = sizeof info};
    for (;;) {
        uint32_t done = 0;
        for (uint32_t i = 0; i < nprod; i++)
            done += st.next[i] == count;
        if (done == nprod)
            break;
        if (iter++ % 4 == 3) {
            int64_t len = hftipc_channel_receive_wait(ch, buf, st.max, slice);
            if (len >= 0) {
                mpsc_verify(&st, buf, (uint32_t)len, count);
                total++;
                continue;
            }
            if (len != HFTIPC_ETIMEDOUT)
                die("receive_wait", len);
        } else {
            int64_t got =
                hftipc_channel_receive_batch(ch, buf, (size_t)st.max * CHUNK, lens, CHUNK);
            if (got > 0) {
                size_t off = 0;
                for (int64_t i = 0; i < got; i++) {
                    mpsc_verify(&st, buf + off, lens[i], count);
                    off += lens[i];
                }
                total += (uint64_t)got;
                continue;
            }
            if (got != HFTIPC_EEMPTY)
                die("receive_batch", got);
            rc = hftipc_channel_wait(ch, slice);
            if (rc == HFTIPC_OK)
                continue;
            if (rc != HFTIPC_ETIMEDOUT)
                die("wait", rc);
        }
        /* Nothing arrived for a while: stop if told to and everything published is consumed. */
        if (stopfile && access(stopfile, F_OK) == 0) {
            info.size = sizeof info;
            hftipc_channel_stats(ch, &info);
            if (info.tail == info.head)
                break;
        }
    }
    info.size = sizeof info;
    hftipc_channel_stats(ch, &info);
    for (uint32_t i = 0; i < nprod; i++)
        printf("mpsc-read id=%u count=%" PRIu64 " checksum=%016" PRIx64 "\n", i, st.next[i],
               st.sum[i]);
    printf("mpsc-read total=%" PRIu64 " switches=%" PRIu64 " abandoned=%" PRIu64 " head=%" PRIu64
           " tail=%" PRIu64 "\n",
           total, st.switches, info.abandoned_count, info.head, info.tail);
    hftipc_channel_close(ch);
    free(buf);
    free(st.want);
    return 0;
}

/* mpsc-expect ID COUNT SEED [MAX]: the checksum of producer ID's messages 0..COUNT-1. */
static int cmd_mpsc_expect(uint32_t id, uint64_t count, uint64_t seed, uint32_t max)
{
    uint8_t *buf = malloc(max + 1);
    uint64_t h = FNV_INIT;
    for (uint64_t s = 0; s < count; s++)
        h = fnv(h, buf, mpsc_message(seed, id, s, max, buf));
    printf("mpsc-expect id=%u count=%" PRIu64 " checksum=%016" PRIx64 "\n", id, count, h);
    free(buf);
    return 0;
}

/* ---- Layout scenario (interop-tests/README: identical in the three peers) ------------------ */

static uint32_t scen_message(uint64_t seq, uint8_t *out)
{
    uint32_t len = (uint32_t)((seq * 7) % 57);
    for (uint32_t i = 0; i < len; i++)
        out[i] = (uint8_t)(seq * 31 + i * 7 + 1);
    return len;
}

static void scen_check(uint64_t seq, const void *got, int64_t len)
{
    uint8_t want[64];
    uint32_t wl = scen_message(seq, want);
    if (len != (int64_t)wl || memcmp(got, want, wl))
        mismatch(seq, (uint32_t)len, wl, got, want);
}

static int cmd_scenario(const char *path)
{
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = 16;
    o.slot_size = 64;
    hftipc_channel_t *p, *c;
    int rc = hftipc_channel_create(path, &o, HFTIPC_ROLE_PRODUCER, &p);
    if (rc)
        die("create", rc);
    c = open_role(path, HFTIPC_ROLE_CONSUMER);
    uint8_t buf[16 * 64];
    uint32_t lens[16];
    uint64_t ws = 0, rs = 0;
    /* A: 12 single sends */
    for (int i = 0; i < 12; i++, ws++) {
        uint32_t l = scen_message(ws, buf);
        if ((rc = hftipc_channel_send(p, buf, l)))
            die("A send", rc);
    }
    /* B: 8 single receives */
    for (int i = 0; i < 8; i++, rs++) {
        int64_t n = hftipc_channel_receive(c, buf, 56);
        if (n < 0)
            die("B receive", n);
        scen_check(rs, buf, n);
    }
    /* C: one batch of 10 */
    size_t off = 0;
    for (int i = 0; i < 10; i++) {
        lens[i] = scen_message(ws + i, buf + off);
        off += lens[i];
    }
    int64_t n = hftipc_channel_send_batch(p, buf, off, lens, 10);
    if (n != 10)
        die("C send_batch", n < 0 ? n : HFTIPC_EFULL);
    ws += 10;
    /* D: 9 peek/ack */
    for (int i = 0; i < 9; i++, rs++) {
        const void *m;
        n = hftipc_channel_peek(c, &m);
        if (n < 0)
            die("D peek", n);
        scen_check(rs, m, n);
        if ((rc = hftipc_channel_ack(c)))
            die("D ack", rc);
    }
    /* E: 10 claim/commit, exactly `len` bytes written into the slot */
    for (int i = 0; i < 10; i++, ws++) {
        void *slot;
        uint32_t cap;
        if ((rc = hftipc_channel_try_claim(p, &slot, &cap)))
            die("E try_claim", rc);
        uint32_t l = scen_message(ws, buf);
        memcpy(slot, buf, l);
        if ((rc = hftipc_channel_commit(p, l)))
            die("E commit", rc);
    }
    /* F: one receive batch of 8 */
    n = hftipc_channel_receive_batch(c, buf, sizeof buf, lens, 8);
    if (n != 8)
        die("F receive_batch", n < 0 ? n : HFTIPC_EEMPTY);
    off = 0;
    for (int i = 0; i < 8; i++, rs++) {
        scen_check(rs, buf + off, lens[i]);
        off += lens[i];
    }
    /* G: 4 single sends, then one batch of 4 */
    for (int i = 0; i < 4; i++, ws++) {
        uint32_t l = scen_message(ws, buf);
        if ((rc = hftipc_channel_send(p, buf, l)))
            die("G send", rc);
    }
    off = 0;
    for (int i = 0; i < 4; i++) {
        lens[i] = scen_message(ws + i, buf + off);
        off += lens[i];
    }
    n = hftipc_channel_send_batch(p, buf, off, lens, 4);
    if (n != 4)
        die("G send_batch", n < 0 ? n : HFTIPC_EFULL);
    ws += 4;
    hftipc_info_t info = {.size = sizeof info};
    hftipc_channel_stats(c, &info);
    if (info.head != 40 || info.tail != 25 || ws != 40 || rs != 25) {
        fprintf(stderr, "c-peer: scenario ended at head %" PRIu64 " tail %" PRIu64 "\n", info.head,
                info.tail);
        return 1;
    }
    hftipc_channel_close(c);
    hftipc_channel_close(p);
    printf("scenario head=40 tail=25\n");
    return 0;
}

/* ---- Golden files ---------------------------------------------------------------------------- */

/* The expectation file of one golden file (golden_tool.py expect): "key value" lines. */
struct expect {
    char status[64], mode[16];
    uint64_t v[32];
    int have[32];
    int nmsg, nobs;
    char *msg[4096], *obs[4096], *probe;
};
static const char *const keys[] = {"format_major",
                                   "format_minor",
                                   "compat_flags",
                                   "incompat_flags",
                                   "capacity",
                                   "slot_size",
                                   "max_payload",
                                   "file_size",
                                   "head",
                                   "tail",
                                   "full_count",
                                   "abandoned_count",
                                   "producer_count",
                                   "producer_epoch",
                                   "producer_takeovers",
                                   "consumer_epoch",
                                   "consumer_takeovers",
                                   "drain_tail",
                                   "drain_abandoned",
                                   "drain_aborted",
                                   "resume_head"};
enum { NKEYS = sizeof keys / sizeof keys[0] };

static void read_expect(const char *file, struct expect *e)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        perror(file);
        exit(2);
    }
    memset(e, 0, sizeof *e);
    char line[16384], k[64], v[16300];
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%63s %16299s", k, v) != 2)
            continue;
        char *hex = strdup(strcmp(v, "-") ? v : "");
        if (!strcmp(k, "expect"))
            snprintf(e->status, sizeof e->status, "%.63s", v);
        else if (!strcmp(k, "mode"))
            snprintf(e->mode, sizeof e->mode, "%.15s", v);
        else if (!strcmp(k, "msg") && e->nmsg < 4096)
            e->msg[e->nmsg++] = hex, hex = NULL;
        else if (!strcmp(k, "obs") && e->nobs < 4096)
            e->obs[e->nobs++] = hex, hex = NULL;
        else if (!strcmp(k, "probe"))
            e->probe = hex, hex = NULL;
        else
            for (int i = 0; i < NKEYS; i++)
                if (!strcmp(k, keys[i]))
                    e->v[i] = parse_u64(v), e->have[i] = 1;
        free(hex);
    }
    fclose(f);
}

static int fails;
static uint64_t want(const struct expect *e, const char *name)
{
    for (int i = 0; i < NKEYS; i++)
        if (!strcmp(name, keys[i]) && e->have[i])
            return e->v[i];
    fprintf(stderr, "c-peer: golden: the expectation file has no %s\n", name);
    exit(2);
}

static void check_field(const char *what, const char *name, uint64_t got, const struct expect *e)
{
    uint64_t w = want(e, name);
    if (w != got) {
        fprintf(stderr, "c-peer: golden: %s: %s is %" PRIu64 ", manifest says %" PRIu64 "\n", what,
                name, got, w);
        fails++;
    }
}

/* `consumer_extra`: consumer holders taken since the file was written (this peer's). */
static void check_info(const char *what, const hftipc_info_t *in, const struct expect *e,
                       int consumer_extra)
{
    check_field(what, "format_major", in->format_major, e);
    check_field(what, "format_minor", in->format_minor, e);
    check_field(what, "compat_flags", in->compat_flags, e);
    check_field(what, "incompat_flags", in->incompat_flags, e);
    check_field(what, "capacity", in->capacity, e);
    check_field(what, "slot_size", in->slot_size, e);
    check_field(what, "max_payload", in->max_payload, e);
    check_field(what, "file_size", in->file_size, e);
    check_field(what, "head", in->head, e);
    check_field(what, "tail", in->tail, e);
    check_field(what, "full_count", in->full_count, e);
    check_field(what, "abandoned_count", in->abandoned_count, e);
    check_field(what, "producer_count", in->producer_count, e);
    check_field(what, "producer_epoch", in->producer_epoch, e);
    check_field(what, "producer_takeovers", in->producer_takeovers, e);
    check_field(what, "consumer_epoch", in->consumer_epoch - (uint64_t)consumer_extra, e);
    check_field(what, "consumer_takeovers", in->consumer_takeovers, e);
    const char *mode = in->mode == HFTIPC_MODE_SPSC   ? "spsc"
                       : in->mode == HFTIPC_MODE_MPSC ? "mpsc"
                                                      : "?";
    if (strcmp(mode, e->mode)) {
        fprintf(stderr, "c-peer: golden: %s: mode is %s, manifest says %s\n", what, mode, e->mode);
        fails++;
    }
}

static void to_hex(const uint8_t *p, int64_t n, char *out)
{
    for (int64_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
    out[2 * n] = 0;
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *b = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len == cap && !(b = realloc(b, cap = cap * 2 + 65536)))
            exit(2);
        size_t n = fread(b + *len, 1, cap - *len, f);
        if (n == 0)
            break;
        *len += n;
    }
    fclose(f);
    return b;
}

/* Receive until HFTIPC_EEMPTY, comparing each message with want[0..nwant); returns the count.
 * A consumer that still has to reach `until_tail` retries for up to 5 s: it may have to wait
 * out an abandoned MPSC claim (FORMAT.md section 13, step 3) before it passes it. */
static int receive_all(hftipc_channel_t *ch, const char *what, char *const *want_hex, int nwant,
                       uint64_t until_tail)
{
    static uint8_t buf[1 << 16];
    static char hex[(1 << 17) + 1];
    int got = 0;
    int64_t deadline = 0;
    for (;;) {
        int64_t n = hftipc_channel_receive(ch, buf, sizeof buf);
        if (n == HFTIPC_EEMPTY) {
            hftipc_info_t in = {.size = sizeof in};
            hftipc_channel_stats(ch, &in);
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            int64_t t = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
            if (deadline == 0)
                deadline = t + 5000000000;
            if (hftipc_channel_role(ch) == HFTIPC_ROLE_OBSERVER || in.tail >= until_tail ||
                t > deadline)
                break;
            struct timespec ms = {0, 1000000};
            nanosleep(&ms, NULL);
            continue;
        }
        if (n < 0)
            die(what, n);
        to_hex(buf, n, hex);
        if (got >= nwant || strcmp(hex, want_hex[got])) {
            fprintf(stderr, "c-peer: golden: %s: message %d is '%s', manifest says '%s'\n", what,
                    got, hex, got < nwant ? want_hex[got] : "(none)");
            fails++;
        }
        got++;
    }
    if (got != nwant) {
        fprintf(stderr, "c-peer: golden: %s: %d messages, manifest says %d\n", what, got, nwant);
        fails++;
    }
    return got;
}

/*
 * Check a golden file against its expectations (docs/INTEROP.md, "What is tested"): a bad file
 * is refused by inspect and by every role with the same status; a good one is inspected, then
 * an observer is opened (it must not modify the file), a consumer drains it (the messages in
 * order, abandoned claims skipped and counted), a producer resumes at the manifest's head and
 * sends the probe, which the observer (after any committed messages past the old head) and
 * the consumer then receive.
 */
static int cmd_golden(const char *path, const char *expfile)
{
    static struct expect e;
    read_expect(expfile, &e);
    hftipc_info_t info = {.size = sizeof info};
    int rc = hftipc_inspect(path, &info);
    if (strcmp(e.status, "HFTIPC_OK") != 0) {
        /* Must be refused the same way by inspect and by every role. */
        const hftipc_role_t roles[] = {HFTIPC_ROLE_CONSUMER, HFTIPC_ROLE_PRODUCER,
                                       HFTIPC_ROLE_OBSERVER};
        if (strcmp(hftipc_err_name(rc), e.status)) {
            fprintf(stderr, "c-peer: golden: inspect gave %s, want %s\n", hftipc_err_name(rc),
                    e.status);
            return 1;
        }
        for (int i = 0; i < 3; i++) {
            hftipc_channel_t *ch;
            rc = hftipc_channel_open(path, roles[i], &ch);
            if (strcmp(hftipc_err_name(rc), e.status)) {
                fprintf(stderr, "c-peer: golden: open role %d gave %s, want %s\n", roles[i],
                        hftipc_err_name(rc), e.status);
                if (rc == 0)
                    hftipc_channel_close(ch);
                return 1;
            }
        }
        printf("refused %s\n", e.status);
        return 0;
    }
    if (rc)
        die("golden inspect", rc);
    check_info("inspect", &info, &e, 0);

    size_t len0, len1;
    uint8_t *before = read_all(path, &len0);
    hftipc_channel_t *obs = open_role(path, HFTIPC_ROLE_OBSERVER);
    info.size = sizeof info;
    hftipc_channel_stats(obs, &info);
    check_info("observer stats", &info, &e, 0);
    uint8_t one[8];
    if ((rc = (int)hftipc_channel_receive(obs, one, sizeof one)) != HFTIPC_EEMPTY) {
        fprintf(stderr, "c-peer: golden: an observer opened at head got %s, want HFTIPC_EEMPTY\n",
                hftipc_err_name(rc));
        fails++;
    }
    uint8_t *after = read_all(path, &len1);
    if (!before || !after || len0 != len1 || memcmp(before, after, len0)) {
        fprintf(stderr, "c-peer: golden: opening an observer modified the file\n");
        fails++;
    }
    free(before);
    free(after);

    hftipc_channel_t *ch = open_role(path, HFTIPC_ROLE_CONSUMER);
    info.size = sizeof info;
    hftipc_channel_stats(ch, &info);
    check_info("consumer stats", &info, &e, 1);
    int got = receive_all(ch, "consumer", e.msg, e.nmsg, want(&e, "drain_tail"));
    info.size = sizeof info;
    hftipc_channel_stats(ch, &info);
    check_field("after the drain", "drain_tail", info.tail, &e);
    check_field("after the drain", "drain_abandoned", info.abandoned_count, &e);
    check_field("after the drain", "drain_aborted", info.aborted_count, &e);

    hftipc_channel_t *p = open_role(path, HFTIPC_ROLE_PRODUCER);
    info.size = sizeof info;
    hftipc_channel_stats(p, &info);
    check_field("producer stats", "resume_head", info.head, &e);
    uint8_t probe[64];
    size_t plen = e.probe ? strlen(e.probe) / 2 : 0;
    for (size_t i = 0; i < plen && i < sizeof probe; i++)
        sscanf(e.probe + 2 * i, "%2hhx", &probe[i]);
    if ((rc = hftipc_channel_send(p, probe, plen)))
        die("golden send probe", rc);
    int seen = receive_all(obs, "observer", e.obs, e.nobs, 0);
    receive_all(ch, "consumer after the probe", &e.probe, 1, 0);
    hftipc_channel_close(p);
    hftipc_channel_close(ch);
    hftipc_channel_close(obs);
    if (fails)
        return 1;
    printf("accepted format %u.%u %s, %d messages, %" PRIu64 " abandoned, resumed at %" PRIu64
           ", observer saw %d\n",
           info.format_major, info.format_minor, e.mode, got, want(&e, "drain_abandoned"),
           want(&e, "resume_head"), seen);
    return 0;
}

static int cmd_open(const char *path)
{
    hftipc_channel_t *ch;
    int rc = hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &ch);
    printf("%s\n", hftipc_err_name(rc));
    if (rc == 0)
        hftipc_channel_close(ch);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 5 && !strcmp(argv[1], "write"))
        return cmd_write(argv[2], parse_u64(argv[3]), parse_u64(argv[4]),
                         argc > 5 ? parse_u64(argv[5]) : 0);
    if (argc >= 5 && !strcmp(argv[1], "read"))
        return cmd_read(argv[2], parse_u64(argv[3]), parse_u64(argv[4]),
                        argc > 5 ? parse_u64(argv[5]) : 0);
    if (argc >= 6 && !strcmp(argv[1], "read-ack"))
        return cmd_read_ack(argv[2], parse_u64(argv[3]), parse_u64(argv[4]), argv[5],
                            argc > 6 ? parse_u64(argv[6]) : 0);
    if (argc >= 4 && !strcmp(argv[1], "expect"))
        return cmd_expect(parse_u64(argv[2]), parse_u64(argv[3]),
                          argc > 4 ? (uint32_t)parse_u64(argv[4]) : 120);
    if (argc == 3 && !strcmp(argv[1], "scenario"))
        return cmd_scenario(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "golden"))
        return cmd_golden(argv[2], argv[3]);
    if (argc == 3 && !strcmp(argv[1], "open"))
        return cmd_open(argv[2]);
    if (argc >= 7 && !strcmp(argv[1], "mpsc-write"))
        return cmd_mpsc_write(argv[2], (uint32_t)parse_u64(argv[3]), (uint32_t)parse_u64(argv[4]),
                              parse_u64(argv[5]), parse_u64(argv[6]),
                              argc > 7 ? parse_u64(argv[7]) : 0);
    if (argc >= 6 && !strcmp(argv[1], "mpsc-read"))
        return cmd_mpsc_read(argv[2], (uint32_t)parse_u64(argv[3]), parse_u64(argv[4]),
                             parse_u64(argv[5]), argc > 6 ? argv[6] : NULL);
    if (argc >= 5 && !strcmp(argv[1], "mpsc-expect"))
        return cmd_mpsc_expect((uint32_t)parse_u64(argv[2]), parse_u64(argv[3]), parse_u64(argv[4]),
                               argc > 5 ? (uint32_t)parse_u64(argv[5]) : 120);
    fprintf(stderr, "usage: peer write|read PATH COUNT SEED [PACE] | read-ack PATH COUNT SEED "
                    "PROGRESS [PACE] | expect COUNT SEED [MAX_PAYLOAD] | scenario PATH | golden "
                    "PATH EXPECT | open PATH | mpsc-write PATH ID NPRODUCERS COUNT SEED [PACE] | "
                    "mpsc-read PATH "
                    "NPRODUCERS COUNT SEED [STOPFILE] | mpsc-expect ID COUNT SEED [MAX_PAYLOAD]\n");
    return 2;
}
