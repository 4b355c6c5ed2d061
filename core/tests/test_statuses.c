/*
 * Every status a public function returns is one its @return list in hftipc.h documents (issue
 * 11, finding 9: ack returned HFTIPC_ECORRUPT undocumented). The lists are parsed from the
 * header at run time (test_doc.h; the path comes from CMake), then each function is driven
 * through as many of its paths as one process can reach: bad arguments, wrong roles, full and
 * empty rings, corrupt cursors and lengths, malformed and truncated files, sparse files,
 * fenced handles, timeouts, permission errors. Any status outside the list fails the test.
 *
 * Table-driven: one row per public function that returns a status, naming the driver that
 * exercises it (a driver may cover several). A documented function without a row fails the
 * test, so a new function needs a row (and a driver) here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>

#include "test_ops.h"

#ifndef HFTIPC_HEADER_PATH
#error "HFTIPC_HEADER_PATH must name core/include/hftipc.h"
#endif

static hftipc_options_t opts(uint32_t capacity, uint32_t slot_size, uint32_t mode)
{
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = capacity;
    o.slot_size = slot_size;
    o.mode = mode;
    return o;
}

static void close_if(hftipc_channel_t **ch)
{
    hftipc_channel_close(*ch);
    *ch = NULL;
}

/* ---- Files: good, malformed, truncated, sparse, not files ---- */

typedef struct bad_file {
    const char *name;
    size_t offset; /* patched field of a good 8 x 64 SPSC file; SIZE_MAX: none */
    int width;     /* bytes of the patch: 2, 4 or 8 */
    uint64_t value;
    int64_t resize; /* bytes added to (or removed from) the file's size afterwards */
    int sparse;     /* rebuild as a header followed by holes */
    int raw;        /* 0: a channel file; 1: empty; 2: text; 3: magic and 100 bytes */
} bad_file;

static const bad_file bad_files[] = {
    {"good", SIZE_MAX, 0, 0, 0, 0, 0},
    {"empty file", SIZE_MAX, 0, 0, 0, 0, 1},
    {"text file", SIZE_MAX, 0, 0, 0, 0, 2},
    {"magic and 100 bytes", SIZE_MAX, 0, 0, 0, 0, 3},
    {"format major 2", offsetof(hftipc__header, format_major), 2, 2, 0, 0, 0},
    {"never ready", offsetof(hftipc__header, init_state), 4, 0, 0, 0, 0},
    {"header size 100", offsetof(hftipc__header, header_size), 4, 100, 0, 0, 0},
    {"unknown incompat flag", offsetof(hftipc__header, incompat_flags), 8, 1ull << 63, 0, 0, 0},
    {"mode 9", offsetof(hftipc__header, mode), 4, 9, 0, 0, 0},
    {"capacity 3", offsetof(hftipc__header, capacity), 4, 3, 0, 0, 0},
    {"slot size 20", offsetof(hftipc__header, slot_size), 4, 20, 0, 0, 0},
    {"capacity 2^30 (too large with 64-byte slots... and 2^26)", offsetof(hftipc__header, capacity),
     4, 1u << 30, 0, 0, 0},
    {"file_size field off by 8", offsetof(hftipc__header, file_size), 8, 4096 + 8 * 64 + 8, 0, 0,
     0},
    {"truncated by 8 bytes", SIZE_MAX, 0, 0, -8, 0, 0},
    {"truncated to the header", SIZE_MAX, 0, 0, -8 * 64, 0, 0},
    {"truncated inside the header", SIZE_MAX, 0, 0, -8 * 64 - 100, 0, 0},
    {"one page too long", SIZE_MAX, 0, 0, 4096, 0, 0},
    {"head 100 with capacity 8", offsetof(hftipc__header, head), 8, 100, 0, 0, 0},
    {"tail ahead of head by 2^63", offsetof(hftipc__header, tail), 8, 1ull << 63, 0, 0, 0},
    {"sparse", SIZE_MAX, 0, 0, 0, 1, 0},
};

#define N_BAD (sizeof bad_files / sizeof bad_files[0])

static void make_bad_file(const bad_file *b, const char *path)
{
    unlink(path);
    if (b->raw == 1) {
        assert_int_equal(test_write_file(path, "", 0), 0);
        return;
    }
    if (b->raw == 2) {
        const char text[] = "just some text, long enough to hold a magic";
        assert_int_equal(test_write_file(path, text, sizeof text), 0);
        return;
    }
    if (b->raw == 3) {
        unsigned char buf[108] = {0};
        memcpy(buf, HFTIPC__MAGIC, HFTIPC__MAGIC_LEN);
        assert_int_equal(test_write_file(path, buf, sizeof buf), 0);
        return;
    }
    hftipc_options_t o = opts(8, 64, HFTIPC_MODE_SPSC);
    hftipc_channel_t *ch;
    assert_int_equal(hftipc_channel_create(path, &o, HFTIPC_ROLE_OBSERVER, &ch), HFTIPC_OK);
    hftipc_channel_close(ch);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    assert_true(fd >= 0);
    if (b->offset != SIZE_MAX) {
        if (b->offset == offsetof(hftipc__header, capacity) && b->value == 1u << 30) {
            uint32_t slot = 1u << 26; /* 2^30 x 2^26: over the 1 TiB limit */
            assert_int_equal(pwrite(fd, &slot, 4, offsetof(hftipc__header, slot_size)), 4);
        }
        assert_int_equal(pwrite(fd, &b->value, (size_t)b->width, (off_t)b->offset), b->width);
    }
    if (b->resize != 0)
        assert_int_equal(ftruncate(fd, 4096 + 8 * 64 + b->resize), 0);
    if (b->sparse) { /* the header, then holes up to the geometry */
        unsigned char hdr[HFTIPC__HEADER_SIZE];
        assert_int_equal(pread(fd, hdr, sizeof hdr, 0), (ssize_t)sizeof hdr);
        assert_int_equal(ftruncate(fd, 0), 0);
        assert_int_equal(pwrite(fd, hdr, sizeof hdr, 0), (ssize_t)sizeof hdr);
        assert_int_equal(ftruncate(fd, 4096 + 8 * 64), 0);
    }
    close(fd);
}

/* The paths that are not channel files at all. */
static const char *not_files[4];

static void make_not_files(void)
{
    not_files[0] = test_path("nf-missing");
    unlink(not_files[0]);
    not_files[1] = test_path("nf-dir");
    mkdir(not_files[1], 0700);
    not_files[2] = test_path("nf-symlink");
    unlink(not_files[2]);
    assert_int_equal(symlink("nf-dir", not_files[2]), 0);
    not_files[3] = test_path("nf-fifo");
    unlink(not_files[3]);
    assert_int_equal(mkfifo(not_files[3], 0600), 0);
}

/* ---- Drivers ---- */

static void drive_create(void)
{
    hftipc_channel_t *ch = NULL;
    const char *path = test_path("create");
    unlink(path);
    scenario = "create: bad arguments";
    R(hftipc_channel_create, NULL, NULL, HFTIPC_ROLE_PRODUCER, &ch);
    R(hftipc_channel_create, path, NULL, HFTIPC_ROLE_PRODUCER, NULL);
    R(hftipc_channel_create, path, NULL, (hftipc_role_t)0, &ch);
    R(hftipc_channel_create, "", NULL, HFTIPC_ROLE_PRODUCER, &ch);
    char slash[600];
    snprintf(slash, sizeof slash, "%s/", test_scratch());
    R(hftipc_channel_create, slash, NULL, HFTIPC_ROLE_PRODUCER, &ch);
    char longname[900];
    snprintf(longname, sizeof longname, "%s/%0300d", test_scratch(), 0);
    R(hftipc_channel_create, longname, NULL, HFTIPC_ROLE_PRODUCER, &ch);
    hftipc_options_t o = opts(8, 64, HFTIPC_MODE_SPSC);
    o.size = 2;
    R(hftipc_channel_create, path, &o, HFTIPC_ROLE_PRODUCER, &ch);
    scenario = "create: bad options";
    static const struct {
        uint32_t capacity, slot_size, mode, file_mode;
    } bad[] = {{3, 64, 1, 0600},  {8, 20, 1, 0600}, {8, 64, 9, 0600}, {1u << 30, 1u << 26, 1, 0600},
               {8, 64, 1, 04777}, {0, 64, 1, 0600}, {8, 8, 1, 0600},  {8, 64, 0, 0600},
               {8, 64, 2, 0700}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o = opts(bad[i].capacity, bad[i].slot_size, bad[i].mode);
        o.file_mode = bad[i].file_mode;
        R(hftipc_channel_create, path, &o, HFTIPC_ROLE_PRODUCER, &ch);
        R(hftipc_channel_open_or_create, path, &o, HFTIPC_ROLE_CONSUMER, &ch);
    }
    scenario = "create: directories";
    R(hftipc_channel_create, test_path("no-such-dir/x"), NULL, HFTIPC_ROLE_PRODUCER, &ch);
    const char *file = test_path("plain-file");
    assert_int_equal(test_write_file(file, "x", 1), 0);
    char under_file[600];
    snprintf(under_file, sizeof under_file, "%s/x", file);
    R(hftipc_channel_create, under_file, NULL, HFTIPC_ROLE_PRODUCER, &ch);
    const char *loop = test_path("loop");
    unlink(loop);
    assert_int_equal(symlink("loop", loop), 0);
    char in_loop[600];
    snprintf(in_loop, sizeof in_loop, "%s/x", loop);
    R(hftipc_channel_create, in_loop, NULL, HFTIPC_ROLE_PRODUCER, &ch);
    R(hftipc_channel_open_or_create, in_loop, NULL, HFTIPC_ROLE_PRODUCER, &ch);
    scenario = "create: success, then the path exists";
    for (int mode = HFTIPC_MODE_SPSC; mode <= HFTIPC_MODE_MPSC; mode++) {
        for (int role = HFTIPC_ROLE_PRODUCER; role <= HFTIPC_ROLE_OBSERVER; role++) {
            unlink(path);
            o = opts(8, 64, (uint32_t)mode);
            if (R(hftipc_channel_create, path, &o, (hftipc_role_t)role, &ch) == HFTIPC_OK)
                close_if(&ch);
            R(hftipc_channel_create, path, &o, (hftipc_role_t)role, &ch);
            R(hftipc_channel_create, test_scratch(), &o, (hftipc_role_t)role, &ch);
            if (R(hftipc_channel_open_or_create, path, &o, (hftipc_role_t)role, &ch) == 0)
                close_if(&ch);
        }
    }
    scenario = "open_or_create: geometry mismatch";
    o = opts(16, 64, HFTIPC_MODE_MPSC);
    R(hftipc_channel_open_or_create, path, &o, HFTIPC_ROLE_CONSUMER, &ch);
    unlink(path);
    unlink(file);
    unlink(loop);
}

static void drive_open(void)
{
    hftipc_channel_t *ch = NULL;
    scenario = "open: bad arguments";
    R(hftipc_channel_open, NULL, HFTIPC_ROLE_PRODUCER, &ch);
    R(hftipc_channel_open, test_path("x"), HFTIPC_ROLE_PRODUCER, NULL);
    R(hftipc_channel_open, test_path("x"), (hftipc_role_t)7, &ch);
    R(hftipc_channel_open_takeover, NULL, HFTIPC_ROLE_PRODUCER, 0, &ch);
    R(hftipc_channel_open_takeover, test_path("x"), (hftipc_role_t)-1, 0, &ch);
    R(hftipc_channel_takeover, NULL, HFTIPC_ROLE_PRODUCER, 0, 0, &ch);
    R(hftipc_channel_takeover, test_path("x"), HFTIPC_ROLE_PRODUCER, 0, 0x80, &ch);
    R(hftipc_channel_takeover, test_path("x"), HFTIPC_ROLE_PRODUCER, 0, HFTIPC_TAKEOVER_FORCE,
      NULL);
    R(hftipc_channel_open_or_create, NULL, NULL, HFTIPC_ROLE_PRODUCER, &ch);
    R(hftipc_channel_open_or_create, test_path("x"), NULL, HFTIPC_ROLE_PRODUCER, NULL);
    R(hftipc_channel_open_or_create, test_path("x"), NULL, (hftipc_role_t)4, &ch);
    make_not_files();
    const char *path = test_path("bad");
    for (size_t i = 0; i < N_BAD + 4; i++) {
        const char *p = path;
        if (i < N_BAD) {
            scenario = bad_files[i].name;
            make_bad_file(&bad_files[i], path);
        } else {
            scenario = "not a file";
            p = not_files[i - N_BAD];
        }
        hftipc_options_t o = opts(8, 64, HFTIPC_MODE_SPSC);
        for (int role = HFTIPC_ROLE_PRODUCER; role <= HFTIPC_ROLE_OBSERVER; role++) {
            /* The sparse file is rebuilt for each role: a producer's open allocates it. */
            if (i < N_BAD && bad_files[i].sparse)
                make_bad_file(&bad_files[i], path);
            if (R(hftipc_channel_open, p, (hftipc_role_t)role, &ch) == 0)
                close_if(&ch);
            if (i < N_BAD && bad_files[i].sparse)
                make_bad_file(&bad_files[i], path);
            if (R(hftipc_channel_open_takeover, p, (hftipc_role_t)role, 0, &ch) == 0)
                close_if(&ch);
            if (R(hftipc_channel_open_takeover, p, (hftipc_role_t)role, -1, &ch) == 0)
                close_if(&ch);
            if (i < N_BAD && bad_files[i].sparse)
                make_bad_file(&bad_files[i], path);
            if (R(hftipc_channel_open_or_create, p, &o, (hftipc_role_t)role, &ch) == 0)
                close_if(&ch);
        }
        if (i < N_BAD && bad_files[i].sparse)
            make_bad_file(&bad_files[i], path);
        hftipc_info_t info = {.size = sizeof info};
        R(hftipc_inspect, p, &info);
        if (i < N_BAD && bad_files[i].sparse)
            make_bad_file(&bad_files[i], path);
        R(hftipc_channel_remove, p); /* a bad file is not retired: nothing is changed */
    }
    R(hftipc_channel_remove, NULL);
    scenario = "open: the role is held";
    make_bad_file(&bad_files[0], path);
    hftipc_channel_t *held[2];
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &held[0]), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &held[1]), HFTIPC_OK);
    for (int role = HFTIPC_ROLE_PRODUCER; role <= HFTIPC_ROLE_CONSUMER; role++) {
        R(hftipc_channel_open, path, (hftipc_role_t)role, &ch);
        R(hftipc_channel_open_takeover, path, (hftipc_role_t)role, 0, &ch);
        R(hftipc_channel_open_or_create, path, NULL, (hftipc_role_t)role, &ch);
    }
    hftipc_channel_close(held[0]);
    hftipc_channel_close(held[1]);
    scenario = "open: a live foreign holder with a stale heartbeat";
    world w;
    for (int kind = 0; kind < WORLD_KINDS; kind++) {
        assert_int_equal(world_make(&w, kind, 8, 64, 0), 0);
        hftipc__holder *hs[2 + HFTIPC_MPSC_MAX_PRODUCERS];
        int n = world_holders(&w, hs, 2 + HFTIPC_MPSC_MAX_PRODUCERS);
        for (int i = 0; i < n; i++) {
            hftipc__store_relaxed_u64(&hs[i]->owner, (uint64_t)getppid()); /* alive */
            hftipc__store_relaxed_u64(&hs[i]->heartbeat_ns, 1);
        }
        for (int role = HFTIPC_ROLE_PRODUCER; role <= HFTIPC_ROLE_CONSUMER; role++) {
            R(hftipc_channel_open, w.path, (hftipc_role_t)role, &ch);
            if (R(hftipc_channel_open_takeover, w.path, (hftipc_role_t)role, 0, &ch) == 0)
                close_if(&ch);
        }
        world_free(&w);
    }
    unlink(path);
}

static void drive_close(void)
{
    scenario = "close";
    R(hftipc_channel_close, NULL);
    world w;
    assert_int_equal(world_make(&w, WORLD_SPSC, 8, 64, 0), 0);
    hftipc_channel_t *ch;
    assert_int_equal(hftipc_channel_open(w.path, HFTIPC_ROLE_PRODUCER, &ch), HFTIPC_OK);
    R(hftipc_channel_close, ch);
    world_fence(&w);
    assert_int_equal(hftipc_channel_open(w.path, HFTIPC_ROLE_CONSUMER, &ch), HFTIPC_OK);
    world_fence(&w);
    R(hftipc_channel_close, ch); /* fenced: releases nothing, still frees */
    world_free(&w);
}

static void drive_operations(void)
{
    static const uint32_t bad_len = 0xffffffffu;
    for (int kind = 0; kind < WORLD_KINDS; kind++) {
        world w;
        assert_int_equal(world_make(&w, kind, 8, 64, 7), 0);
        char msg[64] = {0}, buf[64];
        uint32_t lens[3] = {1, 2, 3};
        void *payload;
        const void *cpayload;
        int count = 0;

        scenario = "operations: NULL handle and pointers";
        R(hftipc_channel_send, NULL, msg, 1);
        R(hftipc_channel_send, w.p, NULL, 1);
        R(hftipc_channel_send_batch, NULL, msg, 3, lens, 1);
        R(hftipc_channel_send_batch, w.p, msg, 3, NULL, 1);
        R(hftipc_channel_send_batch, w.p, NULL, 3, lens, 1);
        R(hftipc_channel_send_batch, w.p, msg, 2, lens, 3); /* lengths beyond data_len */
        R(hftipc_channel_send_batch, w.p, msg, 0, lens, 0);
        R(hftipc_channel_try_claim, NULL, &payload, NULL);
        R(hftipc_channel_try_claim, w.p, NULL, NULL);
        R(hftipc_channel_commit, NULL, 0);
        R(hftipc_channel_receive, NULL, buf, sizeof buf);
        R(hftipc_channel_receive, w.c, NULL, 1);
        R(hftipc_channel_receive_batch, NULL, buf, sizeof buf, lens, 1);
        R(hftipc_channel_receive_batch, w.c, buf, sizeof buf, NULL, 1);
        R(hftipc_channel_receive_batch, w.c, buf, sizeof buf, lens, 0);
        R(hftipc_channel_receive_batch, w.c, NULL, 1, lens, 1);
        R(hftipc_channel_drain, NULL, count_msgs, &count, 1);
        R(hftipc_channel_drain, w.c, NULL, &count, 1);
        R(hftipc_channel_drain, w.c, count_msgs, &count, 0);
        R(hftipc_channel_peek, NULL, &cpayload);
        R(hftipc_channel_peek, w.c, NULL);
        R(hftipc_channel_ack, NULL);
        R(hftipc_channel_wait, NULL, 0);
        R(hftipc_channel_send_wait, NULL, msg, 1, 0);
        R(hftipc_channel_receive_wait, NULL, buf, sizeof buf, 0);
        R(hftipc_channel_heartbeat, NULL);
        hftipc_info_t info = {.size = sizeof info};
        R(hftipc_channel_stats, NULL, &info);
        R(hftipc_channel_stats, w.p, NULL);
        info.size = 0;
        R(hftipc_channel_stats, w.p, &info);
        R(hftipc_inspect, NULL, &info);
        R(hftipc_inspect, w.path, NULL);
        R(hftipc_inspect, w.path, &info);

        scenario = "operations: empty ring, every role";
        all_ops(&w);
        scenario = "operations: commit without a claim, and too long";
        R(hftipc_channel_commit, w.p, 1);
        R(hftipc_channel_send, w.p, msg, 57);
        if (R(hftipc_channel_try_claim, w.p, &payload, NULL) == 0) {
            R(hftipc_channel_commit, w.p, 57);
            R(hftipc_channel_commit, w.p, 1);
        }
        scenario = "operations: message too long for the buffer";
        R(hftipc_channel_send, w.p, msg, 40);
        R(hftipc_channel_receive, w.c, buf, 8);
        R(hftipc_channel_receive_batch, w.c, buf, 8, lens, 3);
        R(hftipc_channel_receive, w.o, buf, 8);
        scenario = "operations: full ring";
        for (int i = 0; i < 10; i++)
            R(hftipc_channel_send, w.p, msg, 1);
        all_ops(&w);
        for (int i = 0; i < 10; i++)
            R(hftipc_channel_send, w.p, msg, 1);
        scenario = "operations: corrupt slot length";
        uint64_t tail = hftipc__load_relaxed_u64(&w.h->tail);
        hftipc__store_relaxed_u32(&world_slot(&w, tail)->length, bad_len);
        consumer_ops(w.c, 64);
        consumer_ops(w.o, 64);
        scenario = "operations: observer lapped";
        for (int i = 0; i < 40; i++) {
            R(hftipc_channel_send, w.p, msg, 1);
            R(hftipc_channel_receive, w.c, buf, sizeof buf);
        }
        consumer_ops(w.o, 64);
        scenario = "operations: consumer cursor ahead of everything (producer side)";
        for (int i = 0; i < 10; i++)
            R(hftipc_channel_send, w.p, msg, 1);
        uint64_t head = hftipc__load_relaxed_u64(&w.h->head);
        hftipc__store_relaxed_u64(&w.h->tail, head + 1000);
        producer_ops(w.p, 56);
        hftipc__store_relaxed_u64(&w.h->tail, head - 1000);
        producer_ops(w.p, 56);
        hftipc__store_relaxed_u64(&w.h->tail, head);
        scenario = "operations: head (claim cursor) far ahead, slot not committed";
        hftipc__store_relaxed_u64(&w.h->head, head + 1000);
        hftipc__store_relaxed_u32(&world_slot(&w, head)->commit, 0);
        all_ops(&w);
        scenario = "operations: head behind the observer";
        hftipc__store_relaxed_u64(&w.h->head, head - 5);
        all_ops(&w);
        hftipc__store_relaxed_u64(&w.h->head, head);
        scenario = "operations: fenced handles";
        world_fence(&w);
        all_ops(&w);
        R(hftipc_channel_commit, w.p, 1);
        world_free(&w);
    }
}

/* A retired channel (1.1.0): every operation of every role once, then the slow paths again after
 * its file was replaced. */
static void drive_retired(void)
{
    for (int kind = 0; kind < WORLD_KINDS; kind++) {
        world w;
        assert_int_equal(world_make(&w, kind, 8, 64, 3), 0);
        scenario = "retired: every operation of every role";
        R(hftipc_channel_remove, w.path);
        all_ops(&w);
        R(hftipc_channel_remove, w.path); /* gone now */
        world_free(&w);
    }
}

/* Discovery (1.1.0): listing, watching, waiting for a channel to appear. */
static void drive_discovery(void)
{
    hftipc_dir_t *d = NULL;
    hftipc_watch_t *wt = NULL;
    hftipc_channel_t *ch = NULL;
    hftipc_dir_entry_t e = {.size = sizeof e};
    hftipc_info_t info = {.size = sizeof info};
    scenario = "discovery: bad arguments and paths";
    R(hftipc_dir_open, NULL, &d);
    R(hftipc_dir_open, test_scratch(), NULL);
    R(hftipc_dir_open, test_path("no-such-dir"), &d);
    R(hftipc_dir_next, NULL, &e, &info);
    R(hftipc_watch_open, NULL, NULL, &wt);
    R(hftipc_watch_open, test_path("no-such-dir"), NULL, &wt);
    R(hftipc_watch_next, NULL, 0, &e, &info);
    R(hftipc_watch_stop, NULL);
    R(hftipc_channel_open_wait, NULL, HFTIPC_ROLE_CONSUMER, 0, &ch);
    R(hftipc_channel_open_wait, test_path("x"), (hftipc_role_t)9, 0, &ch);
    R(hftipc_channel_open_wait, test_path("no-such-dir/x"), HFTIPC_ROLE_CONSUMER, 0, &ch);
    scenario = "discovery: a directory of good and bad files";
    char dir[600];
    snprintf(dir, sizeof dir, "%s/discover", test_scratch());
    mkdir(dir, 0700);
    char path[700];
    snprintf(path, sizeof path, "%s/a-channel", dir);
    hftipc_options_t o = opts(8, 64, HFTIPC_MODE_SPSC);
    unlink(path);
    if (hftipc_channel_create(path, &o, HFTIPC_ROLE_OBSERVER, &ch) == HFTIPC_OK)
        hftipc_channel_close(ch);
    ch = NULL;
    for (size_t i = 0; i < N_BAD; i++) {
        char bad[700];
        snprintf(bad, sizeof bad, "%s/bad-%zu", dir, i);
        make_bad_file(&bad_files[i], bad);
    }
    R(hftipc_dir_open, path, &d); /* a file, not a directory */
    if (R(hftipc_dir_open, dir, &d) == 0) {
        while (R(hftipc_dir_next, d, &e, &info) == 1)
            ;
        R(hftipc_dir_next, d, &e, NULL);
        hftipc_dir_close(d);
    }
    hftipc_watch_options_t wo;
    hftipc_watch_options_init(&wo);
    wo.flags = 0x80; /* unknown */
    R(hftipc_watch_open, dir, &wo, &wt);
    hftipc_watch_options_init(&wo);
    wo.interval_ns = 1000 * 1000;
    for (int poll = 0; poll < 2; poll++) {
        wo.flags = poll ? HFTIPC_WATCH_POLL : 0;
        if (R(hftipc_watch_open, dir, &wo, &wt) == 0) {
            while (R(hftipc_watch_next, wt, 0, &e, &info) == 1)
                ;
            R(hftipc_watch_next, wt, 2 * 1000 * 1000, &e, NULL);
            R(hftipc_watch_stop, wt);
            R(hftipc_watch_next, wt, 0, &e, &info);
            hftipc_watch_close(wt);
        }
    }
    scenario = "discovery: open_wait on present, missing and bad channels";
    if (R(hftipc_channel_open_wait, path, HFTIPC_ROLE_CONSUMER, 0, &ch) == 0)
        close_if(&ch);
    char missing[700];
    snprintf(missing, sizeof missing, "%s/later", dir);
    R(hftipc_channel_open_wait, missing, HFTIPC_ROLE_CONSUMER, 0, &ch);
    R(hftipc_channel_open_wait, missing, HFTIPC_ROLE_CONSUMER, 2 * 1000 * 1000, &ch);
    for (size_t i = 0; i < N_BAD; i++) {
        char bad[700];
        snprintf(bad, sizeof bad, "%s/bad-%zu", dir, i);
        if (R(hftipc_channel_open_wait, bad, HFTIPC_ROLE_OBSERVER, 1000 * 1000, &ch) == 0)
            close_if(&ch);
    }
}

/* A process without the caller's permissions: as root, a child that drops to nobody. */
static void drive_permissions(void)
{
    const char *dir = test_path("perm-dir");
    mkdir(dir, 0700);
    char in_dir[600], file[600];
    snprintf(in_dir, sizeof in_dir, "%s/x", dir);
    snprintf(file, sizeof file, "%s", test_path("perm-file"));
    unlink(file);
    hftipc_channel_t *ch;
    assert_int_equal(hftipc_channel_create(file, NULL, HFTIPC_ROLE_OBSERVER, &ch), HFTIPC_OK);
    hftipc_channel_close(ch);
    chmod(file, 0);
    if (geteuid() != 0) {
        chmod(dir, 0500);
        scenario = "permissions";
        R(hftipc_channel_create, in_dir, NULL, HFTIPC_ROLE_PRODUCER, &ch);
        R(hftipc_channel_open, file, HFTIPC_ROLE_PRODUCER, &ch);
        R(hftipc_channel_open, file, HFTIPC_ROLE_OBSERVER, &ch);
        R(hftipc_channel_open_or_create, file, NULL, HFTIPC_ROLE_CONSUMER, &ch);
        hftipc_info_t info = {.size = sizeof info};
        R(hftipc_inspect, file, &info);
        chmod(dir, 0700);
    } else {
        /* The child reports (function index, status) pairs through a pipe. */
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            if (setgid(65534) != 0 || setuid(65534) != 0)
                _exit(2);
            int64_t got[6];
            hftipc_info_t info = {.size = sizeof info};
            got[0] = hftipc_channel_create(in_dir, NULL, HFTIPC_ROLE_PRODUCER, &ch);
            got[1] = hftipc_channel_open(file, HFTIPC_ROLE_PRODUCER, &ch);
            got[2] = hftipc_channel_open(file, HFTIPC_ROLE_OBSERVER, &ch);
            got[3] = hftipc_channel_open_or_create(file, NULL, HFTIPC_ROLE_CONSUMER, &ch);
            got[4] = hftipc_inspect(file, &info);
            got[5] = hftipc_channel_open_takeover(file, HFTIPC_ROLE_CONSUMER, 0, &ch);
            _exit(write(fds[1], got, sizeof got) == (ssize_t)sizeof got ? 0 : 3);
        }
        close(fds[1]);
        int64_t got[6];
        ssize_t n = read(fds[0], got, sizeof got);
        close(fds[0]);
        int st;
        waitpid(pid, &st, 0);
        if (n == (ssize_t)sizeof got) {
            static const char *const fns[5] = {"hftipc_channel_create", "hftipc_channel_open",
                                               "hftipc_channel_open",
                                               "hftipc_channel_open_or_create", "hftipc_inspect"};
            scenario = "permissions (as nobody)";
            for (int i = 0; i < 5; i++)
                doc_record(fns[i], got[i], scenario, __LINE__);
        }
    }
    unlink(file);
    rmdir(dir);
}

typedef struct driver_row {
    const char *function;
    void (*drive)(void);
} driver_row;

/* One row per public function that returns a status. */
static const driver_row drivers[] = {
    {"hftipc_channel_create", drive_create},
    {"hftipc_channel_open", drive_open},
    {"hftipc_channel_open_or_create", drive_create},
    {"hftipc_channel_open_takeover", drive_open},
    {"hftipc_channel_takeover", drive_open},
    {"hftipc_channel_claim", drive_operations},
    {"hftipc_channel_commit_claim", drive_operations},
    {"hftipc_channel_abort_claim", drive_operations},
    {"hftipc_channel_remove", drive_open},
    {"hftipc_channel_remove", drive_retired},
    {"hftipc_dir_open", drive_discovery},
    {"hftipc_dir_next", drive_discovery},
    {"hftipc_watch_open", drive_discovery},
    {"hftipc_watch_next", drive_discovery},
    {"hftipc_watch_stop", drive_discovery},
    {"hftipc_channel_open_wait", drive_discovery},
    {"hftipc_channel_close", drive_close},
    {"hftipc_channel_send", drive_operations},
    {"hftipc_channel_send_batch", drive_operations},
    {"hftipc_channel_try_claim", drive_operations},
    {"hftipc_channel_commit", drive_operations},
    {"hftipc_channel_receive", drive_operations},
    {"hftipc_channel_receive_batch", drive_operations},
    {"hftipc_channel_drain", drive_operations},
    {"hftipc_channel_peek", drive_operations},
    {"hftipc_channel_ack", drive_operations},
    {"hftipc_channel_wait", drive_operations},
    {"hftipc_channel_send_wait", drive_operations},
    {"hftipc_channel_receive_wait", drive_operations},
    {"hftipc_channel_heartbeat", drive_operations},
    {"hftipc_channel_stats", drive_operations},
    {"hftipc_inspect", drive_open},
    {"hftipc_inspect", drive_permissions},
};

#define N_DRIVERS (sizeof drivers / sizeof drivers[0])

static void test_header_lists_parse(void **state)
{
    (void)state;
    assert_int_equal(doc_load(HFTIPC_HEADER_PATH), 0);
    /* The parser itself, on lists whose meaning is known. */
    doc_fn *send_wait = doc_find("hftipc_channel_send_wait");
    assert_non_null(send_wait);
    assert_true(send_wait->allowed[-HFTIPC_ETIMEDOUT]);
    assert_true(send_wait->allowed[-HFTIPC_ETOOBIG]); /* through "as hftipc_channel_send()" */
    assert_false(send_wait->allowed[-HFTIPC_EFULL]);  /* "instead of" */
    doc_fn *open = doc_find("hftipc_channel_open");
    assert_non_null(open);
    assert_true(open->allowed[-HFTIPC_ECAPACITY]); /* inside ETRUNCATED ... ENOTREADY */
    assert_false(open->allowed[-HFTIPC_EFULL]);
    doc_fn *ooc = doc_find("hftipc_channel_open_or_create");
    assert_true(ooc->allowed[-HFTIPC_EEXIST] && ooc->allowed[-HFTIPC_EBUSY] &&
                ooc->allowed[-HFTIPC_EMISMATCH]);
    assert_false(doc_find("hftipc_channel_capacity")->returns_status);
}

static void test_every_documented_function_has_a_driver(void **state)
{
    (void)state;
    int missing = 0;
    for (int i = 0; i < doc_nfns; i++) {
        if (!doc_fns[i].returns_status)
            continue;
        int found = 0;
        for (size_t d = 0; d < N_DRIVERS; d++)
            found |= strcmp(drivers[d].function, doc_fns[i].name) == 0;
        if (!found) {
            fprintf(stderr, "no driver row for %s: add one to drivers[]\n", doc_fns[i].name);
            missing++;
        }
    }
    assert_int_equal(missing, 0);
}

static void test_every_returned_status_is_documented(void **state)
{
    (void)state;
    for (size_t d = 0; d < N_DRIVERS; d++) {
        int done = 0;
        for (size_t e = 0; e < d; e++)
            done |= drivers[e].drive == drivers[d].drive;
        if (!done)
            drivers[d].drive();
    }
    printf("statuses seen per function (%lu calls):\n", doc_calls);
    int bad = doc_report(stdout, 1);
    fflush(stdout);
    assert_int_equal(bad, 0);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_lists_parse),
        cmocka_unit_test(test_every_documented_function_has_a_driver),
        cmocka_unit_test(test_every_returned_status_is_documented),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    test_scratch_cleanup();
    return rc;
}
