/*
 * Generator of the golden file sets in golden/v<SET>/ (docs/INTEROP.md, "The golden files").
 * Each set is written ONCE, by the library that first writes its format, and committed; its
 * files must never change afterwards (run.sh checks the SHA256SUMS of every set). The program is
 * kept so that the files can be audited and so that the set of the next format is made the
 * same way, with the same manifest format:
 *
 *   cc -std=c11 -DHFTIPC_STATIC_BUILD -Icore/include -Icore/src \
 *      $(grep -v '^#' core/sources.txt | sed 's|^|core/|') \
 *      interop-tests/golden/gen_golden.c -o /tmp/gen_golden
 *   /tmp/gen_golden 1.1 NEW_EMPTY_DIR        # writes *.chan and manifest.json
 *
 * A set is one row of SETS below: its format version and a function that builds its files.
 * The generator refuses a set whose format is not the one the library writes (a 1.1 library
 * cannot make the 1.0 set again, and must not make a 1.2 set). The 1.0 set was written by an
 * earlier revision of this program with the 0.1.0 library; its builder below is that program's
 * scenario list, and built against the last format 1.0 core (commit 66d3d52) it writes the nine
 * golden/v1.0 files byte for byte again.
 *
 * Good files are written through the public API only (create, open, send, send_batch,
 * try_claim/commit, receive, close), then their volatile fields (docs/FORMAT.md, marked V) are
 * set to fixed values so the output does not depend on the time, the pid or the boot:
 * created_ns = FIXED_NS, creator_pid = FIXED_PID; in every holder record that was ever taken,
 * pidns = 0 ("unknown"), acquired_ns = FIXED_NS and a non-zero heartbeat_ns = FIXED_BEAT_NS;
 * owner is already 0 after close. Offsets come from core/src/format.h, the only code that knows
 * them. A file may also get one deliberate edit (edit_head() below; named in its manifest
 * entry's "edit") to reach a state the API reaches only through a crash at an exact
 * instruction. The refused and
 * variant files are byte patches of a good file.
 *
 * The manifest's expectations (the messages a consumer receives, where it stops, what it
 * skips, where a new producer resumes, what an observer sees) are computed here from the bytes
 * of the file as FORMAT.md lays them out, not by the library's consumer: run.sh then checks that
 * the C, Go and Java consumers agree with this reading of the format.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format.h"
#include "hftipc.h"

#define FIXED_NS      UINT64_C(1796083200000000000) /* 2026-12-01T00:00:00Z */
#define FIXED_PID     UINT32_C(4242)
#define FIXED_BEAT_NS UINT64_C(1000000000) /* heartbeat_ns (format 1.1): 1 s after boot */
#define HOLDER(field) offsetof(hftipc__holder, field)
#define HEADER(field) offsetof(hftipc__header, field)

/* What every reader sends as a producer after draining a good file, and then expects the
 * observer and the consumer to see (the manifest's "probe"). */
static const uint8_t PROBE[] = {'p', 'r', 'o', 'b', 'e'};

static const char *outdir;
static FILE *manifest;
static int nfiles;

static void die(const char *what, int64_t rc)
{
    fprintf(stderr, "gen_golden: %s: %s\n", what, rc ? hftipc_err_name(rc) : strerror(errno));
    exit(1);
}

static char *pathof(const char *name)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", outdir, name);
    return buf;
}

static uint8_t *slurp(const char *name, size_t *len)
{
    FILE *f = fopen(pathof(name), "rb");
    if (!f)
        die(name, 0);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    uint8_t *b = malloc(*len);
    if (fread(b, 1, *len, f) != *len)
        die(name, 0);
    fclose(f);
    return b;
}

static void spit(const char *name, const uint8_t *b, size_t len)
{
    FILE *f = fopen(pathof(name), "wb");
    if (!f || fwrite(b, 1, len, f) != len || fclose(f))
        die(name, 0);
    chmod(pathof(name), 0644);
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Message `seq` of a golden file: length (seq * 7) % (max + 1), except that seq % 8 == 3 is
 * empty and seq % 8 == 7 is at the maximum; bytes (seq * 13 + i * 3 + 5) mod 256. */
static uint32_t message(uint64_t seq, uint32_t max, uint8_t *out)
{
    uint32_t len = seq % 8 == 7 ? max : seq % 8 == 3 ? 0 : (uint32_t)((seq * 7) % (max + 1));
    for (uint32_t i = 0; i < len; i++)
        out[i] = (uint8_t)(seq * 13 + i * 3 + 5);
    return len;
}

/* The holder records of a file: producer and consumer, and in format 1.1 the MPSC table. */
static int holder_offsets(size_t *off)
{
    int n = 0;
    off[n++] = HEADER(producer_holder);
    off[n++] = HEADER(consumer_holder);
#if HFTIPC_FORMAT_MINOR >= 1
    for (int i = 0; i < HFTIPC_MPSC_MAX_PRODUCERS; i++)
        off[n++] = HEADER(mpsc_producers) + (size_t)i * sizeof(hftipc__holder);
#endif
    return n;
}

static void normalise(const char *name)
{
    size_t len, off[2 + 16];
    uint8_t *b = slurp(name, &len);
    put_le(b + HEADER(created_ns), FIXED_NS, 8);
    put_le(b + HEADER(creator_pid), FIXED_PID, 4);
    int n = holder_offsets(off);
    for (int i = 0; i < n; i++) {
        uint8_t *h = b + off[i];
        if (get_le(h + HOLDER(owner), 8) != 0)
            die("a role is still held after close", HFTIPC_EBUSY);
        if (get_le(h + HOLDER(epoch), 8) == 0) /* never taken: all zero */
            continue;
        put_le(h + HOLDER(pidns), 0, 8);
        put_le(h + HOLDER(acquired_ns), FIXED_NS, 8);
#if HFTIPC_FORMAT_MINOR >= 1
        if (get_le(h + HOLDER(heartbeat_ns), 8) != 0)
            put_le(h + HOLDER(heartbeat_ns), FIXED_BEAT_NS, 8);
#endif
    }
    spit(name, b, len);
    free(b);
}

static hftipc_channel_t *open_role(const char *name, hftipc_role_t role)
{
    hftipc_channel_t *ch;
    int rc = hftipc_channel_open(pathof(name), role, &ch);
    if (rc)
        die("open", rc);
    return ch;
}

/* Send message `seq` through one of the three producer paths. */
enum path { SINGLE, CLAIM };
static void send_one(hftipc_channel_t *p, uint64_t seq, enum path how)
{
    uint8_t buf[1 << 16];
    uint32_t max = hftipc_channel_max_payload(p), l = message(seq, max, buf);
    int rc;
    if (how == CLAIM) {
        void *slot;
        uint32_t room;
        if ((rc = hftipc_channel_try_claim(p, &slot, &room)))
            die("try_claim", rc);
        memcpy(slot, buf, l);
        rc = hftipc_channel_commit(p, l);
    } else {
        rc = hftipc_channel_send(p, buf, l);
    }
    if (rc)
        die("send", rc);
}

static void send_batch(hftipc_channel_t *p, uint64_t first, uint32_t count)
{
    uint32_t max = hftipc_channel_max_payload(p), lens[64];
    uint8_t *data = malloc((size_t)count * max + 1);
    size_t at = 0;
    for (uint32_t i = 0; i < count; i++) {
        lens[i] = message(first + i, max, data + at);
        at += lens[i];
    }
    int64_t n = hftipc_channel_send_batch(p, data, at, lens, count);
    if (n != count)
        die("send_batch", n < 0 ? n : HFTIPC_EFULL);
    free(data);
}

static void receive_n(hftipc_channel_t *c, int n)
{
    uint8_t buf[1 << 16];
    for (int i = 0; i < n; i++) {
        int64_t l = hftipc_channel_receive(c, buf, sizeof buf);
        if (l < 0)
            die("receive", l);
    }
}

/*
 * Build a good SPSC file: create (producer role), then for each step: send `n` (positive) or
 * receive `-n` (negative) messages; then `extra_full` sends that must fail with EFULL. The
 * format 1.0 set used single sends only; `mixed` cycles single sends, batches of 3 and
 * claim/commit (format 1.1 writes commit words on all three paths).
 */
static void build(const char *name, uint32_t capacity, uint32_t slot_size, const int *steps,
                  int nsteps, int extra_full, int mixed)
{
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = capacity;
    o.slot_size = slot_size;
    hftipc_channel_t *p, *c = NULL;
    int rc = hftipc_channel_create(pathof(name), &o, HFTIPC_ROLE_PRODUCER, &p);
    if (rc)
        die("create", rc);
    uint64_t ws = 0;
    for (int s = 0; s < nsteps; s++) {
        if (steps[s] < 0) {
            if (!c)
                c = open_role(name, HFTIPC_ROLE_CONSUMER);
            receive_n(c, -steps[s]);
            continue;
        }
        for (uint64_t end = ws + (uint64_t)steps[s]; ws < end;) {
            int kind = mixed ? (int)(ws % 5) : 0;
            if (kind == 1 && end - ws >= 3) {
                send_batch(p, ws, 3);
                ws += 3;
            } else {
                send_one(p, ws++, kind == 4 ? CLAIM : SINGLE);
            }
        }
    }
    for (int i = 0; i < extra_full; i++)
        if ((rc = hftipc_channel_send(p, "", 0)) != HFTIPC_EFULL)
            die("send to a full ring", rc ? rc : HFTIPC_EINVAL);
    if (c)
        hftipc_channel_close(c);
    hftipc_channel_close(p);
    normalise(name);
}

/* Copy `from` to `name`, setting `width` bytes at `off` to `value` (or cutting it to `cut`). */
static void variant(const char *from, const char *name, size_t off, int width, uint64_t value,
                    size_t cut)
{
    size_t len;
    uint8_t *b = slurp(from, &len);
    if (cut)
        len = cut;
    else
        put_le(b + off, value, width);
    spit(name, b, len);
    free(b);
}

/* ---- The manifest ------------------------------------------------------------------------- */

static void hex(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        fprintf(manifest, "%02x", p[i]);
}

static void emit_refused(const char *name, const char *expect, const char *description,
                         int check_exit)
{
    fprintf(manifest, "%s\n    {\"name\": \"%s\", \"expect\": \"%s\", \"check_exit\": %d,\n",
            nfiles++ ? "," : "", name, expect, check_exit);
    fprintf(manifest, "     \"description\": \"%s\"", description);
    size_t len;
    uint8_t *b = slurp(name, &len);
    fprintf(manifest, ",\n     \"file_bytes\": %zu", len);
    if (len >= 12)
        fprintf(manifest, ", \"format_major\": %u, \"format_minor\": %u",
                (unsigned)get_le(b + HEADER(format_major), 2),
                (unsigned)get_le(b + HEADER(format_minor), 2));
    if (len >= 32)
        fprintf(manifest, ", \"incompat_flags\": %" PRIu64, get_le(b + HEADER(incompat_flags), 8));
    fprintf(manifest, "}");
    free(b);
}

/* The state of a good file as FORMAT.md defines it, read from its bytes. */
struct reading {
    uint8_t *b;
    uint32_t capacity, slot_size, mode;
    int commit_words;
};

static const uint8_t *slot_of(const struct reading *r, uint64_t seq)
{
    return r->b + HFTIPC__HEADER_SIZE + (seq & (r->capacity - 1)) * r->slot_size;
}

/* Section 2.5: slot `seq` holds message `seq` once its commit word is (seq + 1) mod 2^32. */
static int committed(const struct reading *r, uint64_t seq)
{
    return get_le(slot_of(r, seq) + 4, 4) == (uint32_t)(seq + 1);
}

static void emit_message(const struct reading *r, uint64_t seq, int first)
{
    const uint8_t *slot = slot_of(r, seq);
    fprintf(manifest, "%s\n       {\"seq\": %" PRIu64 ", \"hex\": \"", first ? "" : ",", seq);
    hex(slot + 8, (uint32_t)get_le(slot, 4));
    fprintf(manifest, "\"}");
}

static void emit(const char *name, const char *description, const char *edit)
{
    fprintf(manifest, "%s\n    {\"name\": \"%s\", \"expect\": \"HFTIPC_OK\", \"check_exit\": 0,\n",
            nfiles++ ? "," : "", name);
    fprintf(manifest, "     \"description\": \"%s\",\n", description);
    if (edit)
        fprintf(manifest, "     \"edit\": \"%s\",\n", edit);
    hftipc_info_t in = {.size = sizeof in};
    int rc = hftipc_inspect(pathof(name), &in);
    if (rc)
        die("inspect", rc);
    uint64_t abandoned = 0, producers = 0;
#if HFTIPC_FORMAT_MINOR >= 1
    abandoned = in.abandoned_count;
    producers = in.producer_count;
#endif
    fprintf(manifest,
            "     \"format_major\": %u, \"format_minor\": %u, \"compat_flags\": %" PRIu64
            ", \"incompat_flags\": %" PRIu64 ",\n     \"capacity\": %u, \"slot_size\": %u, "
            "\"max_payload\": %u, \"file_size\": %" PRIu64 ", \"mode\": \"%s\",\n"
            "     \"head\": %" PRIu64 ", \"tail\": %" PRIu64 ", \"full_count\": %" PRIu64
            ", \"abandoned_count\": %" PRIu64 ", \"producer_count\": %" PRIu64 ",\n"
            "     \"created_ns\": %" PRIu64 ", \"creator_pid\": %u, \"creator_version\": %u,\n"
            "     \"producer_epoch\": %" PRIu64 ", \"producer_takeovers\": %" PRIu64
            ", \"consumer_epoch\": %" PRIu64 ", \"consumer_takeovers\": %" PRIu64 ",\n",
            in.format_major, in.format_minor, in.compat_flags, in.incompat_flags, in.capacity,
            in.slot_size, in.max_payload, in.file_size, in.mode == 2 ? "mpsc" : "spsc", in.head,
            in.tail, in.full_count, abandoned, producers, in.created_ns, in.creator_pid,
            in.creator_version, in.producer_epoch, in.producer_takeovers, in.consumer_epoch,
            in.consumer_takeovers);

    size_t len;
    struct reading r = {.b = slurp(name, &len)};
    r.capacity = in.capacity;
    r.slot_size = in.slot_size;
    r.mode = in.mode;
    r.commit_words = in.mode == 2 || (in.incompat_flags & 1) != 0; /* SLOT_COMMIT, section 14 */

    /* What a consumer receives from `tail` on (sections 5 and 13). */
    uint64_t seq = in.tail, skipped = 0;
    int first = 1;
    fprintf(manifest, "     \"messages\": [");
    uint64_t aborted = 0;
    int skip_records = (in.incompat_flags & 2) != 0; /* SKIP_RECORDS (format 1.2, section 14) */
    if (r.mode == 2) { /* MPSC: every claimed slot up to head is a message or an abandoned claim */
        for (; seq != in.head; seq++) {
            if (committed(&r, seq) && skip_records && get_le(slot_of(&r, seq), 4) == 0xFFFFFFFFu)
                aborted++; /* a skip record (section 2.5): passed, never delivered */
            else if (committed(&r, seq))
                emit_message(&r, seq, first), first = 0;
            else
                skipped++; /* no producer is alive in a golden file: the claim is abandoned */
        }
    } else if (r.commit_words) { /* SPSC with SLOT_COMMIT: slots say what is ready, not head */
        for (; seq - in.tail < r.capacity && committed(&r, seq); seq++)
            emit_message(&r, seq, first), first = 0;
    } else { /* format 1.0: head says what is published */
        for (; seq != in.head; seq++)
            emit_message(&r, seq, first), first = 0;
    }
    uint64_t drain_tail = seq;
    /* Where a new producer resumes (section 5, "Crash of the producer"): max(head, tail) when
     * tail is ahead by at most capacity, then past slots that already hold this lap's value. */
    uint64_t resume = in.head;
    if (r.commit_words && r.mode != 2) {
        if (drain_tail != in.head && drain_tail - in.head <= r.capacity)
            resume = drain_tail;
        while (resume - drain_tail < r.capacity && committed(&r, resume))
            resume++;
    }
    fprintf(manifest, "],\n     \"drain_tail\": %" PRIu64 ", \"drain_abandoned\": %" PRIu64,
            drain_tail, abandoned + skipped);
    if (skip_records)
        fprintf(manifest, ", \"drain_aborted\": %" PRIu64, aborted);
    fprintf(manifest, ", \"resume_head\": %" PRIu64 ",\n     \"observed\": [", resume);
    /* An observer opened before the drain starts at head (section 5, "Observer") and, once
     * the probe is sent at resume_head, sees every committed slot up to it, then the probe. */
    for (seq = in.head; seq != resume; seq++) {
        const uint8_t *slot = slot_of(&r, seq);
        fprintf(manifest, "\"");
        hex(slot + 8, (uint32_t)get_le(slot, 4));
        fprintf(manifest, "\", ");
    }
    fprintf(manifest, "\"");
    hex(PROBE, sizeof PROBE);
    fprintf(manifest, "\"]}");
    free(r.b);
}

/* ---- The sets ----------------------------------------------------------------------------- */

/* Format 1.0 (hftipc 0.1.0): the scenarios of golden/v1.0 (single sends and receives). */
static void set_1_0(void)
{
    static const int s_wrapped[] = {16, -13, 4};           /* head 20, tail 13: wraps the ring */
    static const int s_full[] = {8, -5, 5};                /* head 13, tail 5: full */
    static const int s_large[] = {2, -2, 2, -2, 2, -2, 2}; /* head 8, tail 6 */
    static const int s_fresh[] = {0};
    build("empty-c4-s16.chan", 4, 16, s_fresh, 1, 0, 0);
    build("wrapped-c16-s64.chan", 16, 64, s_wrapped, 3, 0, 0);
    build("full-c8-s32.chan", 8, 32, s_full, 3, 2, 0);
    build("large-c2-s1032.chan", 2, 1032, s_large, 7, 0, 0);
    variant("wrapped-c16-s64.chan", "compat-bit40.chan", HEADER(compat_flags), 8, UINT64_C(1) << 40,
            0);
    variant("wrapped-c16-s64.chan", "minor7.chan", HEADER(format_minor), 2, 7, 0);
    variant("wrapped-c16-s64.chan", "incompat-bit63.chan", HEADER(incompat_flags), 8,
            UINT64_C(1) << 63, 0);
    variant("wrapped-c16-s64.chan", "major2.chan", HEADER(format_major), 2, 2, 0);
    variant("wrapped-c16-s64.chan", "truncated-2000.chan", 0, 0, 0, 2000);

    emit("empty-c4-s16.chan", "fresh channel, nothing sent; smallest slot size", NULL);
    emit("wrapped-c16-s64.chan",
         "20 sent, 13 consumed: the ring has wrapped; unconsumed messages of 0 to 56 bytes", NULL);
    emit("full-c8-s32.chan",
         "full ring (head - tail == capacity) after 2 refused sends (full_count 2)", NULL);
    emit("large-c2-s1032.chan",
         "slots of 1032 bytes, wrapped 4 times; 2 unconsumed messages, of 42 and 1024 bytes", NULL);
    emit("compat-bit40.chan",
         "wrapped-c16-s64 with compat_flags bit 40 set: unknown compat flags are ignored", NULL);
    emit("minor7.chan", "wrapped-c16-s64 with format_minor 7: every minor of major 1 is readable",
         NULL);
    emit_refused("incompat-bit63.chan", "HFTIPC_EINCOMPAT",
                 "wrapped-c16-s64 with incompat_flags bit 63 set: must be refused", 3);
    emit_refused("major2.chan", "HFTIPC_EVERSION",
                 "wrapped-c16-s64 with format_major 2: must be refused", 3);
    emit_refused("truncated-2000.chan", "HFTIPC_ETRUNCATED",
                 "the first 2000 bytes of wrapped-c16-s64: must be refused", 1);
}

#ifdef HFTIPC_INCOMPAT_SLOT_COMMIT /* format 1.1 as released in hftipc 1.0.0 */
/* MPSC message `n` of producer `id`: the message function at seq id * 9 + n (so that the
 * unconsumed ones include an empty message and one at the maximum payload). */
static void mpsc_send(hftipc_channel_t *p, int id, uint64_t *n, enum path how)
{
    send_one(p, (uint64_t)id * 9 + (*n)++, how);
}

static void mpsc_batch(hftipc_channel_t *p, int id, uint64_t *n, uint32_t count)
{
    send_batch(p, (uint64_t)id * 9 + *n, count);
    *n += count;
}

/*
 * MPSC, 8 slots of 64 bytes, three producers A, B, C (ids 1, 2, 3; each its own handle, so its
 * own producer record). A sends 5 and the consumer takes them; then B sends a batch of 2, A 1, C
 * claims seq 8, writes into it and closes without committing (FORMAT.md section 13 item 4: the
 * claim stays announced in C's record with owner 0), B sends 1 by claim/commit, A a batch of 2,
 * and the consumer takes 1 more: head 12, tail 6, the ring wrapped. A consumer then receives
 * seqs 6, 7, 9, 10 and 11 (0 to 56 bytes) and skips 8, counting it as abandoned.
 */
static void build_mpsc(const char *name)
{
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = 8;
    o.slot_size = 64;
    o.mode = HFTIPC_MODE_MPSC;
    hftipc_channel_t *c, *a, *b, *x;
    int rc = hftipc_channel_create(pathof(name), &o, HFTIPC_ROLE_CONSUMER, &c);
    if (rc)
        die("create", rc);
    a = open_role(name, HFTIPC_ROLE_PRODUCER);
    b = open_role(name, HFTIPC_ROLE_PRODUCER);
    x = open_role(name, HFTIPC_ROLE_PRODUCER);
    uint64_t na = 0, nb = 0;
    for (int i = 0; i < 5; i++)
        mpsc_send(a, 1, &na, i == 2 ? CLAIM : SINGLE); /* seqs 0..4, A's 0..4 */
    receive_n(c, 5);
    mpsc_batch(b, 2, &nb, 2);     /* seqs 5, 6 */
    mpsc_send(a, 1, &na, SINGLE); /* seq 7 */
    void *slot;
    uint32_t room;
    if ((rc = hftipc_channel_try_claim(x, &slot, &room))) /* seq 8: claimed, never committed */
        die("try_claim", rc);
    memset(slot, 0xEE, 16); /* written, not committed: a consumer must never deliver it */
    hftipc_channel_close(x);
    mpsc_send(b, 2, &nb, CLAIM); /* seq 9 */
    mpsc_batch(a, 1, &na, 2);    /* seqs 10, 11 (A's 6 and 7: 7 is at max payload) */
    receive_n(c, 1);             /* tail 6 */
    hftipc_channel_close(a);
    hftipc_channel_close(b);
    hftipc_channel_close(c);
    normalise(name);
}

/* "NAME TEXT", NAME without its ".chan": the description of a variant of file NAME. */
static const char *about(const char *name, const char *text)
{
    static char buf[8][256];
    static int next;
    char *out = buf[next++ % 8];
    size_t n = strlen(name) > 5 ? strlen(name) - 5 : strlen(name);
    snprintf(out, sizeof buf[0], "%.*s %s", (int)n, name, text);
    return out;
}

/* The incompat flags of a built file (to keep them in a variant that adds one). */
static uint64_t mpsc_flags(const char *name)
{
    size_t len;
    uint8_t *b = slurp(name, &len);
    uint64_t flags = get_le(b + HEADER(incompat_flags), 8);
    free(b);
    return flags;
}

/* Set head (offset 128) of a copy of `from` to `head`: a producer killed between committing
 * slots and storing head leaves exactly this (FORMAT.md section 5, "Crash of the producer"). */
static const char *edit_head(const char *from, const char *name, uint64_t head)
{
    variant(from, name, HEADER(head), 8, head, 0);
    return name;
}

/* The sets of the formats with commit words (1.1 and later): the SPSC files and their variants
 * are the same scenarios in every such set; the MPSC file is the set's own (`mpsc`, built by
 * `build_m`, described by `mpsc_what`). */
static void set_commit_words(const char *mpsc, void (*build_m)(const char *), const char *mpsc_what)
{
    static const int s_wrapped[] = {16, -13, 13, -16, 8};   /* head 37, tail 29: wrapped twice */
    static const int s_ahead[] = {16, -13, 13, -16, 8, -8}; /* head 37, tail 37 */
    static const int s_full[] = {8, -5, 5};                 /* head 13, tail 5: full */
    static const int s_large[] = {8, -8, 8, -8, 8, -3};     /* head 24, tail 19 */
    static const int s_cap1[] = {1, -1, 1, -1, 1};          /* head 3, tail 2 */
    build("spsc-wrapped-c16-s64.chan", 16, 64, s_wrapped, 5, 0, 1);
    build("spsc-full-c8-s32.chan", 8, 32, s_full, 3, 2, 1);
    build("spsc-large-c8-s4104.chan", 8, 4104, s_large, 6, 0, 1);
    build("spsc-c1-s16.chan", 1, 16, s_cap1, 5, 0, 1);
    build("spsc-consumed.tmp", 16, 64, s_ahead, 6, 0, 1);
    build_m(mpsc);
    const char *died = edit_head("spsc-wrapped-c16-s64.chan", "spsc-died-before-head.chan", 34);
    const char *ahead = edit_head("spsc-consumed.tmp", "spsc-tail-ahead.chan", 34);
    if (remove(pathof("spsc-consumed.tmp")))
        die("remove", 0);
    variant("spsc-wrapped-c16-s64.chan", "spsc-compat-bit40.chan", HEADER(compat_flags), 8,
            UINT64_C(1) << 40, 0);
    variant(mpsc, "mpsc-minor7.chan", HEADER(format_minor), 2, 7, 0);
    variant("spsc-wrapped-c16-s64.chan", "spsc-incompat-bit63.chan", HEADER(incompat_flags), 8,
            UINT64_C(1) << 63 | HFTIPC_INCOMPAT_SLOT_COMMIT, 0);
    /* Bit 63, as in 1.0, not the next free bit: a later minor version may assign that one (1.2
     * did, SKIP_RECORDS), and then a file with it set is no longer one to refuse. */
    variant(mpsc, "mpsc-incompat-bit63.chan", HEADER(incompat_flags), 8,
            UINT64_C(1) << 63 | mpsc_flags(mpsc), 0);
    variant(mpsc, "mpsc-major2.chan", HEADER(format_major), 2, 2, 0);
    variant(mpsc, "mode3.chan", HEADER(mode), 4, 3, 0);
    variant("spsc-wrapped-c16-s64.chan", "spsc-truncated-2000.chan", 0, 0, 0, 2000);
    variant(mpsc, "mpsc-short-by-a-slot.chan", 0, 0, 0, HFTIPC__HEADER_SIZE + 7 * 64);
    /* tail 29 + 17: ahead of head by more than the capacity (section 3, step 13). */
    variant("spsc-wrapped-c16-s64.chan", "spsc-tail-too-far-ahead.chan", HEADER(tail), 8, 37 + 17,
            0);

    emit("spsc-wrapped-c16-s64.chan",
         "37 sent (single sends, batches of 3, claim/commit), 29 consumed: wrapped twice; 8 "
         "unconsumed messages of 0 to 56 bytes, each with its commit word",
         NULL);
    emit("spsc-full-c8-s32.chan",
         "full ring (head - tail == capacity) after 2 refused sends (full_count 2)", NULL);
    emit("spsc-large-c8-s4104.chan",
         "slots of 4104 bytes, wrapped 3 times; 5 unconsumed messages, of 0 to 4096 bytes", NULL);
    emit("spsc-c1-s16.chan", "one slot of 16 bytes, reused 3 times; 1 unconsumed message", NULL);
    emit(died,
         "spsc-wrapped-c16-s64 as a producer killed after committing messages 34, 35 and 36 "
         "and before storing head leaves it: a consumer still receives 29 to 36 (the commit "
         "words say they are whole), a new producer resumes at 37, an observer opened at head "
         "34 sees 34 to 36",
         "head (offset 128) set from 37 to 34; no other byte changed");
    emit(ahead,
         "the same crash after the consumer had taken all 37 messages: tail 37 is ahead of head "
         "34 (accepted: FORMAT.md section 3 step 13); nothing to receive, a new producer "
         "resumes at 37",
         "head (offset 128) set from 37 to 34; no other byte changed");
    emit(mpsc, mpsc_what, NULL);
    emit("spsc-compat-bit40.chan",
         "spsc-wrapped-c16-s64 with compat_flags bit 40 set: unknown compat flags are ignored",
         NULL);
    emit("mpsc-minor7.chan", about(mpsc, "with format_minor 7: every minor of major 1 is readable"),
         NULL);
    emit_refused("spsc-incompat-bit63.chan", "HFTIPC_EINCOMPAT",
                 "spsc-wrapped-c16-s64 with incompat_flags bit 63 set beside SLOT_COMMIT: must be "
                 "refused",
                 3);
    emit_refused(
        "mpsc-incompat-bit63.chan", "HFTIPC_EINCOMPAT",
        about(mpsc, mpsc_flags(mpsc) == HFTIPC_INCOMPAT_SLOT_COMMIT
                        ? "with incompat_flags bit 63 set beside SLOT_COMMIT: must be refused"
                        : "with incompat_flags bit 63 set beside its flags: must be refused"),
        3);
    emit_refused("mpsc-major2.chan", "HFTIPC_EVERSION",
                 about(mpsc, "with format_major 2: must be refused"), 3);
    emit_refused("mode3.chan", "HFTIPC_EMODE",
                 about(mpsc, "with mode 3 (unknown): must be refused"), 1);
    emit_refused("spsc-truncated-2000.chan", "HFTIPC_ETRUNCATED",
                 "the first 2000 bytes of spsc-wrapped-c16-s64: must be refused", 1);
    emit_refused("mpsc-short-by-a-slot.chan", "HFTIPC_ESIZE",
                 about(mpsc, "without its last slot: must be refused"), 1);
    emit_refused("spsc-tail-too-far-ahead.chan", "HFTIPC_ECORRUPT",
                 "spsc-wrapped-c16-s64 with tail 54, ahead of head 37 by more than the capacity "
                 "16: must be refused",
                 1);
}

/* Format 1.1 (hftipc 1.0.0): commit words in SPSC and MPSC files, MPSC with an abandoned claim,
 * the state a producer killed between commit and head store leaves. */
static void set_1_1(void)
{
    set_commit_words(
        "mpsc-abandoned-c8-s64.chan", build_mpsc,
        "MPSC, 3 producers (records 0 to 2), 12 claimed, 6 consumed, wrapped; producer C "
        "claimed seq 8 and closed without committing (owner 0, pending_first 9, "
        "pending_count 1): a consumer receives seqs 6, 7, 9, 10, 11, skips 8 and "
        "counts it as abandoned");
}
#endif

#ifdef HFTIPC_INCOMPAT_SKIP_RECORDS
/*
 * MPSC with skip records (format 1.2), 8 slots of 64 bytes, producers A, B, C as in build_mpsc:
 * A sends 5, the consumer takes them; B a batch of 2 (5, 6), A 1 (7); C claims 8, writes into
 * it and closes without committing (abandoned); B claims 9 and aborts it (a skip record, section
 * 2.5); B sends 10 by claim/commit, A a batch of 2 (11, 12); the consumer takes 1: head 13,
 * tail 6. A consumer then receives 6, 7, 10, 11, 12, skips 8 (abandoned) and passes 9 (aborted).
 */
static void build_mpsc_aborted(const char *name)
{
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = 8;
    o.slot_size = 64;
    o.mode = HFTIPC_MODE_MPSC;
    hftipc_channel_t *c, *a, *b, *x;
    int rc = hftipc_channel_create(pathof(name), &o, HFTIPC_ROLE_CONSUMER, &c);
    if (rc)
        die("create", rc);
    a = open_role(name, HFTIPC_ROLE_PRODUCER);
    b = open_role(name, HFTIPC_ROLE_PRODUCER);
    x = open_role(name, HFTIPC_ROLE_PRODUCER);
    uint64_t na = 0, nb = 0;
    for (int i = 0; i < 5; i++)
        mpsc_send(a, 1, &na, i == 2 ? CLAIM : SINGLE); /* seqs 0..4 */
    receive_n(c, 5);
    mpsc_batch(b, 2, &nb, 2);     /* seqs 5, 6 */
    mpsc_send(a, 1, &na, SINGLE); /* seq 7 */
    void *slot;
    uint32_t room;
    if ((rc = hftipc_channel_try_claim(x, &slot, &room))) /* seq 8: claimed, never committed */
        die("try_claim", rc);
    memset(slot, 0xEE, 16);
    hftipc_channel_close(x);
    int64_t k = hftipc_channel_claim(b, &slot, &room); /* seq 9: claimed, then aborted */
    if (k < 0)
        die("claim", k);
    memset(slot, 0xAB, 16); /* written, then aborted: a consumer must never deliver it */
    if ((rc = hftipc_channel_abort_claim(b, k)))
        die("abort_claim", rc);
    mpsc_send(b, 2, &nb, CLAIM); /* seq 10 */
    mpsc_batch(a, 1, &na, 2);    /* seqs 11, 12 */
    receive_n(c, 1);             /* tail 6 */
    hftipc_channel_close(a);
    hftipc_channel_close(b);
    hftipc_channel_close(c);
    normalise(name);
}

/* Format 1.2 (hftipc 1.1.0): as 1.1, and the MPSC file also holds a skip record (an aborted
 * claim) and carries SKIP_RECORDS; holder records have their active words. */
static void set_1_2(void)
{
    set_commit_words(
        "mpsc-aborted-c8-s64.chan", build_mpsc_aborted,
        "MPSC with SKIP_RECORDS, 3 producers, 13 claimed, 6 consumed, wrapped; producer "
        "C claimed seq 8 and closed without committing (abandoned), producer B claimed "
        "seq 9 and aborted it (a skip record: length 0xFFFFFFFF): a consumer receives "
        "seqs 6, 7, 10, 11, 12, skips 8 (abandoned) and passes 9 (aborted)");
}
#endif

static const struct set {
    const char *name;
    unsigned major, minor;
    void (*build)(void); /* builds the files and writes their manifest entries */
} SETS[] = {
    {"1.0", 1, 0, set_1_0}, /* golden/v1.0, written by hftipc 0.1.0 */
#ifdef HFTIPC_INCOMPAT_SLOT_COMMIT
    {"1.1", 1, 1, set_1_1}, /* golden/v1.1, written by hftipc 1.0.0 */
#endif
#ifdef HFTIPC_INCOMPAT_SKIP_RECORDS
    {"1.2", 1, 2, set_1_2}, /* golden/v1.2, written by hftipc 1.1.0 */
#endif
};

int main(int argc, char **argv)
{
    const struct set *set = NULL;
    for (size_t i = 0; argc == 3 && i < sizeof SETS / sizeof SETS[0]; i++)
        if (!strcmp(argv[1], SETS[i].name))
            set = &SETS[i];
    if (!set) {
        fprintf(stderr, "usage: gen_golden SET NEW_EMPTY_DIR (SET:");
        for (size_t i = 0; i < sizeof SETS / sizeof SETS[0]; i++)
            fprintf(stderr, " %s", SETS[i].name);
        fprintf(stderr, ")\n");
        return 2;
    }
    if (set->major != HFTIPC_FORMAT_MAJOR || set->minor != HFTIPC_FORMAT_MINOR) {
        fprintf(stderr,
                "gen_golden: set %s must be written by a format %u.%u library; this one "
                "(hftipc %s) writes format %u.%u\n",
                set->name, set->major, set->minor, hftipc_version_string(), HFTIPC_FORMAT_MAJOR,
                HFTIPC_FORMAT_MINOR);
        return 1;
    }
    outdir = argv[2];
    if (mkdir(outdir, 0755) && errno != EEXIST)
        die(outdir, 0);
    struct stat st;
    if (stat(pathof("manifest.json"), &st) == 0) {
        fprintf(stderr,
                "gen_golden: %s already has golden files: they must never be "
                "regenerated (docs/INTEROP.md)\n",
                outdir);
        return 1;
    }
    manifest = fopen(pathof("manifest.json"), "w");
    if (!manifest)
        die("manifest.json", 0);
    fprintf(manifest,
            "{\"format\": \"%s\",\n \"generator\": \"interop-tests/golden/gen_golden.c\",\n"
            " \"library\": \"%s\",\n"
            " \"promise\": \"Written once by the format %s library and never changed. Every "
            "1.x library must read the good files with exactly the content below and refuse "
            "the others with the status in expect.\",\n"
            " \"probe\": \"",
            set->name, hftipc_version_string(), set->name);
    hex(PROBE, sizeof PROBE);
    fprintf(manifest, "\",\n \"files\": [");
    set->build();
    fprintf(manifest, "\n ]}\n");
    if (fclose(manifest))
        die("manifest.json", 0);
    return 0;
}
