/*
 * Header validation (docs/FORMAT.md, "Checks a reader makes"): a table of malformed files,
 * one row per kind, each opened through the public API. Every row also proves the file is left
 * byte-for-byte untouched and that hftipc_inspect() reports the same status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "format.h"
#include "hftipc.h"
#include "test_util.h"

#define CAPACITY  16u
#define SLOT_SIZE 64u

typedef struct malformed_case {
    const char *name;
    /* Mutates a copy of a valid file; may change its length. */
    void (*mutate)(unsigned char **buf, size_t *len);
    int expected;
    const char *why;
} malformed_case;

static void put32(unsigned char *buf, size_t off, uint32_t v)
{
    memcpy(buf + off, &v, 4);
}

static void put64(unsigned char *buf, size_t off, uint64_t v)
{
    memcpy(buf + off, &v, 8);
}

static void set_len(unsigned char **buf, size_t *len, size_t n)
{
    *buf = realloc(*buf, n ? n : 1);
    if (n > *len)
        memset(*buf + *len, 0, n - *len);
    *len = n;
}

#define OFF(field) offsetof(hftipc__header, field)

static void m_empty(unsigned char **b, size_t *l)
{
    set_len(b, l, 0);
}
static void m_seven_bytes(unsigned char **b, size_t *l)
{
    set_len(b, l, 7);
}
static void m_magic_only(unsigned char **b, size_t *l)
{
    set_len(b, l, 100);
}
static void m_header_only(unsigned char **b, size_t *l)
{
    set_len(b, l, HFTIPC__HEADER_SIZE);
}
static void m_one_slot_short(unsigned char **b, size_t *l)
{
    set_len(b, l, *l - SLOT_SIZE);
}
static void m_one_page_long(unsigned char **b, size_t *l)
{
    set_len(b, l, *l + 4096);
}
static void m_bad_magic(unsigned char **b, size_t *l)
{
    (void)l;
    (*b)[1] = 'X';
}
static void m_text_file(unsigned char **b, size_t *l)
{
    for (size_t i = 0; i < *l; i++)
        (*b)[i] = "hello, world\n"[i % 13];
}
static void m_major_two(unsigned char **b, size_t *l)
{
    (void)l;
    (*b)[OFF(format_major)] = 2;
}
static void m_major_zero(unsigned char **b, size_t *l)
{
    (void)l;
    (*b)[OFF(format_major)] = 0;
}
static void m_not_ready(unsigned char **b, size_t *l)
{
    (void)l;
    put32(*b, OFF(init_state), 0);
}
static void m_half_ready(unsigned char **b, size_t *l)
{
    (void)l;
    put32(*b, OFF(init_state), 1);
}
static void m_header_size(unsigned char **b, size_t *l)
{
    (void)l;
    put32(*b, OFF(header_size), 8192);
}
static void m_incompat(unsigned char **b, size_t *l)
{
    (void)l;
    put64(*b, OFF(incompat_flags), 1ull << 63);
}
static void m_cap_zero(unsigned char **b, size_t *l)
{
    (void)l;
    put32(*b, OFF(capacity), 0);
}
static void m_cap_three(unsigned char **b, size_t *l)
{
    (void)l;
    put32(*b, OFF(capacity), 3);
}
static void m_cap_huge(unsigned char **b, size_t *l)
{
    (void)l;
    put32(*b, OFF(capacity), 1u << 31);
}
static void m_slot_tiny(unsigned char **b, size_t *l)
{
    (void)l;
    put32(*b, OFF(slot_size), 8);
}
static void m_slot_odd(unsigned char **b, size_t *l)
{
    (void)l;
    put32(*b, OFF(slot_size), 100);
}
static void m_slot_huge(unsigned char **b, size_t *l)
{
    (void)l;
    put32(*b, OFF(slot_size), 1u << 27);
}
static void m_overflow(unsigned char **b, size_t *l)
{
    (void)l;
    put32(*b, OFF(capacity), 1u << 30);
    put32(*b, OFF(slot_size), 1u << 26);
}
static void m_mode_zero(unsigned char **b, size_t *l)
{
    (void)l;
    put32(*b, OFF(mode), 0);
}
static void m_mode_future(unsigned char **b, size_t *l)
{
    (void)l;
    put32(*b, OFF(mode), 7);
}
static void m_size_field(unsigned char **b, size_t *l)
{
    (void)l;
    put64(*b, OFF(file_size), 1);
}
static void m_backlog_over(unsigned char **b, size_t *l)
{
    (void)l;
    put64(*b, OFF(head), CAPACITY + 1);
    put64(*b, OFF(tail), 0);
}
static void m_tail_ahead(unsigned char **b, size_t *l)
{
    (void)l;
    put64(*b, OFF(head), 5);
    put64(*b, OFF(tail), 6 + CAPACITY);
}
static void m_tail_ahead_stale_head(unsigned char **b, size_t *l)
{
    (void)l;
    put64(*b, OFF(head), 5);
    put64(*b, OFF(tail), 6);
}
static void m_tail_ahead_1_0(unsigned char **b, size_t *l)
{
    m_tail_ahead_stale_head(b, l);
    put64(*b, OFF(incompat_flags), 0);
}
/* Accepted variations: forward compatibility promised by docs/FORMAT.md. */
static void m_compat_flag(unsigned char **b, size_t *l)
{
    (void)l;
    put64(*b, OFF(compat_flags), 1ull << 40);
}
static void m_newer_minor(unsigned char **b, size_t *l)
{
    (void)l;
    (*b)[OFF(format_minor)] = 9;
}
static void m_reserved_set(unsigned char **b, size_t *l)
{
    (void)l;
    memset(*b + 700, 0xAB, 100);
}

static const malformed_case cases[] = {
    {"empty", m_empty, HFTIPC_ETRUNCATED, "an empty file has no header"},
    {"seven-bytes", m_seven_bytes, HFTIPC_ETRUNCATED, "too short to hold the magic"},
    {"magic-only", m_magic_only, HFTIPC_ETRUNCATED, "right magic, header cut at 100 bytes"},
    {"header-only", m_header_only, HFTIPC_ESIZE, "slots missing: size disagrees with geometry"},
    {"one-slot-short", m_one_slot_short, HFTIPC_ESIZE, "last slot missing would SIGBUS"},
    {"one-page-long", m_one_page_long, HFTIPC_ESIZE, "trailing bytes: not the file we wrote"},
    {"bad-magic", m_bad_magic, HFTIPC_EBADMAGIC, "one flipped magic byte"},
    {"text-file", m_text_file, HFTIPC_EBADMAGIC, "some other file at the path"},
    {"major-two", m_major_two, HFTIPC_EVERSION, "a future major layout"},
    {"major-zero", m_major_zero, HFTIPC_EVERSION, "no such major version"},
    {"not-ready", m_not_ready, HFTIPC_ENOTREADY, "initialiser never published READY"},
    {"state-garbage", m_half_ready, HFTIPC_ENOTREADY, "state word is neither 0 nor READY"},
    {"header-size", m_header_size, HFTIPC_EHEADERSIZE, "v1 headers are exactly 4096 bytes"},
    {"incompat-flag", m_incompat, HFTIPC_EINCOMPAT, "a feature this reader cannot honour"},
    {"capacity-zero", m_cap_zero, HFTIPC_ECAPACITY, "a ring needs a slot"},
    {"capacity-three", m_cap_three, HFTIPC_ECAPACITY, "indexing masks need a power of two"},
    {"capacity-huge", m_cap_huge, HFTIPC_ECAPACITY, "above the 2^30 slot limit"},
    {"slot-tiny", m_slot_tiny, HFTIPC_ESLOTSIZE, "no room past the 8-byte slot header"},
    {"slot-unaligned", m_slot_odd, HFTIPC_ESLOTSIZE, "slot headers must stay 8-byte aligned"},
    {"slot-huge", m_slot_huge, HFTIPC_ESLOTSIZE, "above the 64 MiB slot limit"},
    {"geometry-overflow", m_overflow, HFTIPC_ETOOLARGE, "2^30 x 2^26 bytes is past 1 TiB"},
    {"mode-zero", m_mode_zero, HFTIPC_EMODE, "mode 0 is not a mode"},
    {"mode-future", m_mode_future, HFTIPC_EMODE, "a mode this reader does not implement"},
    {"size-field", m_size_field, HFTIPC_ESIZE, "recorded size disagrees with geometry"},
    {"backlog-over", m_backlog_over, HFTIPC_ECORRUPT, "more unconsumed messages than slots"},
    {"tail-ahead", m_tail_ahead, HFTIPC_ECORRUPT, "consumer cursor a ring past the producer's"},
    {"tail-ahead-1.0", m_tail_ahead_1_0, HFTIPC_ECORRUPT,
     "without commit words nothing is visible past head"},
    {"compat-flag", m_compat_flag, HFTIPC_OK, "unknown compat flags are ignored"},
    {"newer-minor", m_newer_minor, HFTIPC_OK, "a newer minor version stays readable"},
    {"reserved-bytes", m_reserved_set, HFTIPC_OK, "reserved bytes are ignored by readers"},
    {"tail-ahead-of-stale-head", m_tail_ahead_stale_head, HFTIPC_OK,
     "a producer died between a commit and its head store"},
};

static unsigned char *valid_file(size_t *len)
{
    const char *path = test_path("valid-template");
    unlink(path);
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = CAPACITY;
    o.slot_size = SLOT_SIZE;
    hftipc_channel_t *ch;
    assert_int_equal(hftipc_channel_create(path, &o, HFTIPC_ROLE_OBSERVER, &ch), HFTIPC_OK);
    assert_int_equal(hftipc_channel_close(ch), HFTIPC_OK);
    unsigned char *buf = test_read_file(path, len);
    assert_non_null(buf);
    assert_int_equal(*len, HFTIPC__HEADER_SIZE + CAPACITY * SLOT_SIZE);
    return buf;
}

static void test_open_refuses_each_malformed_file(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const malformed_case *c = &cases[i];
        size_t len;
        unsigned char *buf = valid_file(&len);
        c->mutate(&buf, &len);
        const char *path = test_path("malformed-%s", c->name);
        assert_int_equal(test_write_file(path, buf, len), 0);

        static const hftipc_role_t roles[] = {HFTIPC_ROLE_PRODUCER, HFTIPC_ROLE_CONSUMER,
                                              HFTIPC_ROLE_OBSERVER};
        for (size_t r = 0; r < 3; r++) {
            hftipc_channel_t *ch = (hftipc_channel_t *)0x1;
            int rc = hftipc_channel_open(path, roles[r], &ch);
            if (rc != c->expected)
                fail_msg("case %s (%s), role %d: got %s, want %s", c->name, c->why, (int)roles[r],
                         hftipc_err_name(rc), hftipc_err_name(c->expected));
            if (rc == HFTIPC_OK)
                hftipc_channel_close(ch);
            else
                assert_null(ch);
        }
        hftipc_info_t info = {.size = sizeof info};
        int rc = hftipc_inspect(path, &info);
        if (rc != c->expected)
            fail_msg("inspect %s: got %s, want %s", c->name, hftipc_err_name(rc),
                     hftipc_err_name(c->expected));

        /* A refused file is never modified, not even the holder records. */
        if (c->expected != HFTIPC_OK) {
            size_t after_len;
            unsigned char *after = test_read_file(path, &after_len);
            assert_non_null(after);
            assert_int_equal(after_len, len);
            if (len > 0 && memcmp(after, buf, len) != 0)
                fail_msg("case %s: refused file was modified", c->name);
            free(after);
        }
        free(buf);
    }
    assert_true(sizeof cases / sizeof cases[0] >= 15);
}

static void test_geometry_check_bounds(void **state)
{
    (void)state;
    hftipc__geometry g = {.capacity = 1, .slot_size = 16, .mode = HFTIPC_MODE_SPSC};
    assert_int_equal(hftipc__geometry_check(&g), HFTIPC_OK);
    assert_int_equal(g.file_size, HFTIPC__HEADER_SIZE + 16);
    g = (hftipc__geometry){.capacity = HFTIPC_MAX_CAPACITY, .slot_size = 512, .mode = 1};
    assert_int_equal(hftipc__geometry_check(&g), HFTIPC_OK);
    g = (hftipc__geometry){.capacity = 1u << 20, .slot_size = HFTIPC_MAX_SLOT_SIZE, .mode = 1};
    assert_int_equal(hftipc__geometry_check(&g), HFTIPC_ETOOLARGE);
    g = (hftipc__geometry){.capacity = 2, .slot_size = HFTIPC_MAX_SLOT_SIZE + 8, .mode = 1};
    assert_int_equal(hftipc__geometry_check(&g), HFTIPC_ESLOTSIZE);
}

static void test_validate_never_reads_past_length(void **state)
{
    (void)state;
    /* A heap buffer exactly as long as claimed: ASan turns any over-read into a failure. */
    for (size_t n = 0; n <= HFTIPC__HEADER_SIZE; n += (n < 16 ? 1 : 509)) {
        unsigned char *buf = malloc(n ? n : 1);
        memset(buf, 0, n);
        if (n >= HFTIPC__MAGIC_LEN)
            memcpy(buf, HFTIPC__MAGIC, HFTIPC__MAGIC_LEN);
        hftipc__geometry g;
        int rc = hftipc__header_validate(buf, n, n, &g);
        assert_true(rc < 0);
        free(buf);
    }
}

static void test_created_header_matches_spec_bytes(void **state)
{
    (void)state;
    size_t len;
    unsigned char *buf = valid_file(&len);
    /* Spot-check the encoding against docs/FORMAT.md, byte by byte, little-endian. */
    static const unsigned char magic[8] = {0x89, 'H', 'F', 'T', 'I', 'P', 'C', '\n'};
    assert_memory_equal(buf, magic, 8);
    assert_int_equal(buf[8] | buf[9] << 8, HFTIPC_FORMAT_MAJOR);
    assert_int_equal(buf[10] | buf[11] << 8, HFTIPC_FORMAT_MINOR);
    uint32_t v;
    memcpy(&v, buf + 12, 4);
    assert_int_equal(v, 4096);
    memcpy(&v, buf + 32, 4);
    assert_int_equal(v, CAPACITY);
    memcpy(&v, buf + 36, 4);
    assert_int_equal(v, SLOT_SIZE);
    memcpy(&v, buf + 40, 4);
    assert_int_equal(v, HFTIPC_MODE_SPSC);
    assert_memory_equal(buf + 44, "REDY", 4);
    uint64_t size;
    memcpy(&size, buf + 48, 8);
    assert_int_equal(size, len);
    for (size_t i = 640; i < HFTIPC__HEADER_SIZE; i++)
        assert_int_equal(buf[i], 0);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_refuses_each_malformed_file),
        cmocka_unit_test(test_geometry_check_bounds),
        cmocka_unit_test(test_validate_never_reads_past_length),
        cmocka_unit_test(test_created_header_matches_spec_bytes),
    };
    int rc = cmocka_run_group_tests_name("format", tests, NULL, NULL);
    test_scratch_cleanup();
    return rc;
}
