/*
 * Generator of the format 1.0 golden files in golden/v1.0/. It was run ONCE, with the format
 * 1.0 library, and its output committed; the files must never change afterwards (run.sh checks
 * golden/v1.0/SHA256SUMS). It is kept so that the files can be audited and so that the golden
 * files of a later format version can be made the same way (see docs/INTEROP.md):
 *
 *   cc -std=c11 -DHFTIPC_STATIC_BUILD -Icore/include -Icore/src core/src/[a-z]*.c \
 *      interop-tests/golden/gen_golden.c -o /tmp/gen_golden
 *   /tmp/gen_golden NEW_EMPTY_DIR        # writes *.chan and manifest.json
 *
 * Good files are written through the public API (create, send, receive, close), then their
 * volatile fields (docs/FORMAT.md, marked V) are set to fixed values so the output does not
 * depend on the time or the pid: created_ns = FIXED_NS, creator_pid = FIXED_PID, each holder's
 * pidns = 0 ("unknown") and acquired_ns = FIXED_NS; owner is already 0 after close. The other
 * files are byte patches of a good file, at the offsets of docs/FORMAT.md section 2.1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hftipc.h"

#define FIXED_NS  UINT64_C(1796083200000000000) /* 2026-12-01T00:00:00Z */
#define FIXED_PID UINT32_C(4242)

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

static void normalise(const char *name)
{
    size_t len;
    uint8_t *b = slurp(name, &len);
    put_le(b + 56, FIXED_NS, 8);
    put_le(b + 64, FIXED_PID, 4);
    for (int base = 384; base <= 512; base += 128) {
        if (get_le(b + base, 8) != 0)
            die("a role is still held after close", HFTIPC_EBUSY);
        if (get_le(b + base + 8, 8) != 0) { /* the role was taken at least once */
            put_le(b + base + 16, 0, 8);
            put_le(b + base + 24, FIXED_NS, 8);
        }
    }
    spit(name, b, len);
    free(b);
}

/*
 * Build a good file: create (producer role), then for each step: send `n` (positive) or
 * receive `-n` (negative) messages; then `extra_sends` sends that must fail with EFULL.
 */
static void build(const char *name, uint32_t capacity, uint32_t slot_size, const int *steps,
                  int nsteps, int extra_full)
{
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = capacity;
    o.slot_size = slot_size;
    hftipc_channel_t *p, *c = NULL;
    int rc = hftipc_channel_create(pathof(name), &o, HFTIPC_ROLE_PRODUCER, &p);
    if (rc)
        die("create", rc);
    uint32_t max = slot_size - 8;
    uint8_t *buf = malloc(max + 1);
    uint64_t ws = 0;
    for (int s = 0; s < nsteps; s++) {
        for (int i = 0; i < abs(steps[s]); i++) {
            if (steps[s] > 0) {
                uint32_t l = message(ws++, max, buf);
                if ((rc = hftipc_channel_send(p, buf, l)))
                    die("send", rc);
            } else {
                if (!c && (rc = hftipc_channel_open(pathof(name), HFTIPC_ROLE_CONSUMER, &c)))
                    die("open consumer", rc);
                int64_t n = hftipc_channel_receive(c, buf, max);
                if (n < 0)
                    die("receive", n);
            }
        }
    }
    for (int i = 0; i < extra_full; i++)
        if ((rc = hftipc_channel_send(p, buf, 0)) != HFTIPC_EFULL)
            die("send to a full ring", rc ? rc : HFTIPC_EINVAL);
    if (c)
        hftipc_channel_close(c);
    hftipc_channel_close(p);
    free(buf);
    normalise(name);
}

static void emit(const char *name, const char *expect, const char *description, int check_exit)
{
    fprintf(manifest, "%s\n    {\"name\": \"%s\", \"expect\": \"%s\", \"check_exit\": %d,\n",
            nfiles++ ? "," : "", name, expect, check_exit);
    fprintf(manifest, "     \"description\": \"%s\"", description);
    if (strcmp(expect, "HFTIPC_OK")) {
        size_t len;
        uint8_t *b = slurp(name, &len);
        fprintf(manifest, ",\n     \"file_bytes\": %zu", len);
        if (len >= 12)
            fprintf(manifest, ", \"format_major\": %u, \"format_minor\": %u",
                    (unsigned)get_le(b + 8, 2), (unsigned)get_le(b + 10, 2));
        if (len >= 32)
            fprintf(manifest, ", \"incompat_flags\": %" PRIu64, get_le(b + 24, 8));
        fprintf(manifest, "}");
        free(b);
        return;
    }
    hftipc_info_t in = {.size = sizeof in};
    int rc = hftipc_inspect(pathof(name), &in);
    if (rc)
        die("inspect", rc);
    fprintf(manifest,
            ",\n     \"format_major\": %u, \"format_minor\": %u, \"compat_flags\": %" PRIu64
            ", \"incompat_flags\": %" PRIu64 ",\n     \"capacity\": %u, \"slot_size\": %u, "
            "\"max_payload\": %u, \"file_size\": %" PRIu64 ", \"mode\": \"spsc\",\n"
            "     \"head\": %" PRIu64 ", \"tail\": %" PRIu64 ", \"full_count\": %" PRIu64 ",\n"
            "     \"created_ns\": %" PRIu64 ", \"creator_pid\": %u, \"creator_version\": %u,\n"
            "     \"producer_epoch\": %" PRIu64 ", \"producer_takeovers\": %" PRIu64
            ", \"consumer_epoch\": %" PRIu64 ", \"consumer_takeovers\": %" PRIu64 ",\n"
            "     \"messages\": [",
            in.format_major, in.format_minor, in.compat_flags, in.incompat_flags, in.capacity,
            in.slot_size, in.max_payload, in.file_size, in.head, in.tail, in.full_count,
            in.created_ns, in.creator_pid, in.creator_version, in.producer_epoch,
            in.producer_takeovers, in.consumer_epoch, in.consumer_takeovers);
    /* The unconsumed messages, read from the file as FORMAT.md 2.5 lays them out. */
    size_t len;
    uint8_t *b = slurp(name, &len);
    for (uint64_t s = in.tail; s < in.head; s++) {
        const uint8_t *slot = b + 4096 + (s & (in.capacity - 1)) * in.slot_size;
        uint32_t l = (uint32_t)get_le(slot, 4);
        fprintf(manifest, "%s\n       {\"seq\": %" PRIu64 ", \"hex\": \"", s == in.tail ? "" : ",",
                s);
        for (uint32_t i = 0; i < l; i++)
            fprintf(manifest, "%02x", slot[8 + i]);
        fprintf(manifest, "\"}");
    }
    fprintf(manifest, "]}");
    free(b);
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

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_golden NEW_EMPTY_DIR\n");
        return 2;
    }
    outdir = argv[1];
    if (mkdir(outdir, 0755) && errno != EEXIST)
        die(outdir, 0);
    if (hftipc_inspect(pathof("wrapped-c16-s64.chan"), &(hftipc_info_t){.size = 8}) !=
        HFTIPC_ENOENT) {
        fprintf(stderr,
                "gen_golden: %s already has golden files: they must never be "
                "regenerated (docs/INTEROP.md)\n",
                outdir);
        return 1;
    }
    manifest = fopen(pathof("manifest.json"), "w");
    if (!manifest)
        die("manifest.json", 0);

    static const int s_wrapped[] = {16, -13, 4};           /* head 20, tail 13: wraps the ring */
    static const int s_full[] = {8, -5, 5};                /* head 13, tail 5: full */
    static const int s_large[] = {2, -2, 2, -2, 2, -2, 2}; /* head 8, tail 6 */
    static const int s_fresh[] = {0};
    build("empty-c4-s16.chan", 4, 16, s_fresh, 1, 0);
    build("wrapped-c16-s64.chan", 16, 64, s_wrapped, 3, 0);
    build("full-c8-s32.chan", 8, 32, s_full, 3, 2);
    build("large-c2-s1032.chan", 2, 1032, s_large, 7, 0);
    variant("wrapped-c16-s64.chan", "compat-bit40.chan", 16, 8, UINT64_C(1) << 40, 0);
    variant("wrapped-c16-s64.chan", "minor7.chan", 10, 2, 7, 0);
    variant("wrapped-c16-s64.chan", "incompat-bit63.chan", 24, 8, UINT64_C(1) << 63, 0);
    variant("wrapped-c16-s64.chan", "major2.chan", 8, 2, 2, 0);
    variant("wrapped-c16-s64.chan", "truncated-2000.chan", 0, 0, 0, 2000);

    fprintf(manifest,
            "{\"format\": \"1.0\",\n \"generator\": \"interop-tests/golden/gen_golden.c\",\n"
            " \"library\": \"%s\",\n"
            " \"promise\": \"Written once by the format 1.0 library and never changed. Every "
            "1.x library must read the good files with exactly the content below and refuse "
            "the others with the status in expect.\",\n"
            " \"files\": [",
            hftipc_version_string());
    emit("empty-c4-s16.chan", "HFTIPC_OK", "fresh channel, nothing sent; smallest slot size", 0);
    emit("wrapped-c16-s64.chan", "HFTIPC_OK",
         "20 sent, 13 consumed: the ring has wrapped; unconsumed messages of 0 to 56 bytes", 0);
    emit("full-c8-s32.chan", "HFTIPC_OK",
         "full ring (head - tail == capacity) after 2 refused sends (full_count 2)", 0);
    emit("large-c2-s1032.chan", "HFTIPC_OK",
         "slots of 1032 bytes, wrapped 4 times; 2 unconsumed messages, of 42 and 1024 bytes", 0);
    emit("compat-bit40.chan", "HFTIPC_OK",
         "wrapped-c16-s64 with compat_flags bit 40 set: unknown compat flags are ignored", 0);
    emit("minor7.chan", "HFTIPC_OK",
         "wrapped-c16-s64 with format_minor 7: every minor of major 1 is readable", 0);
    emit("incompat-bit63.chan", "HFTIPC_EINCOMPAT",
         "wrapped-c16-s64 with incompat_flags bit 63 set: must be refused", 3);
    emit("major2.chan", "HFTIPC_EVERSION", "wrapped-c16-s64 with format_major 2: must be refused",
         3);
    emit("truncated-2000.chan", "HFTIPC_ETRUNCATED",
         "the first 2000 bytes of wrapped-c16-s64: must be refused", 1);
    fprintf(manifest, "\n ]}\n");
    if (fclose(manifest))
        die("manifest.json", 0);
    return 0;
}
