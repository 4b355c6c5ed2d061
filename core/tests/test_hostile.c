/*
 * Hostile values in every field of a live mapping (issue 11, finding 8: a heartbeat of 2^63 or
 * more made open_takeover overflow a signed subtraction). A peer may write anything at any
 * time; every piece of arithmetic the library does on a value read from the mapping must be
 * free of overflow and undefined behaviour, and every call must return a documented status.
 *
 * For each kind of channel (SPSC, MPSC, SPSC format 1.0), each field another process can
 * write (cursors, counters, waiting flags, every field of the role holder records, MPSC
 * pending claims, slot lengths and commit words, the identity block), and each hostile value
 * (0, 1, 2^31, 2^32 - 1, 2^63 - 1, 2^63, 2^64 - 1, and values just around the field's own and
 * around the ring's bounds), the test writes the value into the live file, then runs every
 * operation of every role, opens, takeovers with several staleness limits, inspect and stats.
 * Run it in the asan preset: UBSan there halts on the first undefined behaviour.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#if defined(_WIN32)
#include <windows.h>
/* After windows.h: its definitions must come first. */
#include <tlhelp32.h>
#endif

#include "wait.h"
#include "test_ops.h"

#ifndef HFTIPC_HEADER_PATH
#error "HFTIPC_HEADER_PATH must name core/include/hftipc.h"
#endif

#define CAPACITY  8u
#define SLOT_SIZE 64u

typedef struct field {
    const char *name;
    size_t offset; /* from the start of the file */
    int width;     /* 4 or 8 */
} field;

#define HOLDER_FIELDS(prefix, base)                                                                \
    {prefix ".owner", (base) + offsetof(hftipc__holder, owner), 8},                                \
        {prefix ".epoch", (base) + offsetof(hftipc__holder, epoch), 8},                            \
        {prefix ".pidns", (base) + offsetof(hftipc__holder, pidns), 8},                            \
        {prefix ".acquired_ns", (base) + offsetof(hftipc__holder, acquired_ns), 8},                \
        {prefix ".takeovers", (base) + offsetof(hftipc__holder, takeovers), 8},                    \
        {prefix ".heartbeat_ns", (base) + offsetof(hftipc__holder, heartbeat_ns), 8},              \
        {prefix ".wake_capable", (base) + offsetof(hftipc__holder, wake_capable), 4},              \
        {prefix ".pending_first", (base) + offsetof(hftipc__holder, pending_first), 8},            \
        {prefix ".pending_count", (base) + offsetof(hftipc__holder, pending_count), 4},            \
        {prefix ".active", (base) + offsetof(hftipc__holder, active), 8},                          \
    {                                                                                              \
        prefix ".waiting", (base) + offsetof(hftipc__holder, waiting), 4                           \
    }

#define SLOT_FIELDS(i)                                                                             \
    {"slot[" #i "].length", HFTIPC__HEADER_SIZE + (i)*SLOT_SIZE, 4},                               \
    {                                                                                              \
        "slot[" #i "].commit", HFTIPC__HEADER_SIZE + (i)*SLOT_SIZE + 4, 4                          \
    }

static const field fields[] = {
    {"head", offsetof(hftipc__header, head), 8},
    {"tail", offsetof(hftipc__header, tail), 8},
    {"full_count", offsetof(hftipc__header, full_count), 8},
    {"abandoned_count", offsetof(hftipc__header, abandoned_count), 8},
    {"aborted_count", offsetof(hftipc__header, aborted_count), 8},
    {"consumer_waiting", offsetof(hftipc__header, consumer_waiting), 4},
    {"producer_waiting", offsetof(hftipc__header, producer_waiting), 4},
    {"capacity", offsetof(hftipc__header, capacity), 4},
    {"slot_size", offsetof(hftipc__header, slot_size), 4},
    {"mode", offsetof(hftipc__header, mode), 4},
    {"init_state", offsetof(hftipc__header, init_state), 4},
    {"header_size", offsetof(hftipc__header, header_size), 4},
    {"file_size", offsetof(hftipc__header, file_size), 8},
    {"incompat_flags", offsetof(hftipc__header, incompat_flags), 8},
    {"created_ns", offsetof(hftipc__header, created_ns), 8},
    HOLDER_FIELDS("producer_holder", offsetof(hftipc__header, producer_holder)),
    HOLDER_FIELDS("consumer_holder", offsetof(hftipc__header, consumer_holder)),
    HOLDER_FIELDS("mpsc_producers[0]", offsetof(hftipc__header, mpsc_producers)),
    HOLDER_FIELDS("mpsc_producers[1]", offsetof(hftipc__header, mpsc_producers) + 128),
    HOLDER_FIELDS("mpsc_producers[15]", offsetof(hftipc__header, mpsc_producers) + 15 * 128),
    SLOT_FIELDS(0),
    SLOT_FIELDS(1),
    SLOT_FIELDS(2),
    SLOT_FIELDS(3),
    SLOT_FIELDS(7),
};

#define N_FIELDS (sizeof fields / sizeof fields[0])

/* Absolute hostile values; relative ones are computed from the field's current value. */
static const uint64_t absolute[] = {
    0,           1,          CAPACITY,  CAPACITY + 1, 0x7fffffffull, 0x80000000ull,
    0xffffffffu, 1ull << 32, INT64_MAX, 1ull << 63,   UINT64_MAX,    UINT64_MAX - 1,
};
static const int64_t relative[] = {-1, 1, (int64_t)CAPACITY, (int64_t)CAPACITY + 1,
                                   -(int64_t)CAPACITY - 1};

#define N_VALUES (sizeof absolute / sizeof absolute[0] + sizeof relative / sizeof relative[0])

static uint64_t read_field(const world *w, const field *f)
{
    const uint8_t *p = (const uint8_t *)w->h + f->offset;
    if (f->width == 4)
        return atomic_load_explicit((const _Atomic uint32_t *)(const void *)p,
                                    memory_order_relaxed);
    return atomic_load_explicit((const _Atomic uint64_t *)(const void *)p, memory_order_relaxed);
}

static void write_field(world *w, const field *f, uint64_t v)
{
    uint8_t *p = (uint8_t *)w->h + f->offset;
    if (f->width == 4)
        atomic_store_explicit((_Atomic uint32_t *)(void *)p, (uint32_t)v, memory_order_relaxed);
    else
        atomic_store_explicit((_Atomic uint64_t *)(void *)p, v, memory_order_relaxed);
}

static uint64_t hostile_value(const world *w, const field *f, size_t i)
{
    size_t na = sizeof absolute / sizeof absolute[0];
    if (i < na)
        return absolute[i];
    /* Unsigned wrap-around is the point here: the value just below 0 is 2^64 - 1. */
    return read_field(w, f) + (uint64_t)relative[i - na];
}

/* Opens and takeovers of every role, and reopening our own handles over the hostile state. */
static void open_ops(world *w)
{
    static const int64_t stale[] = {0, 1, 1000 * MS, INT64_MAX, -1};
    hftipc_channel_t *ch;
    for (int role = HFTIPC_ROLE_PRODUCER; role <= HFTIPC_ROLE_OBSERVER; role++) {
        if (R(hftipc_channel_open, w->path, (hftipc_role_t)role, &ch) == 0)
            hftipc_channel_close(ch);
        for (size_t i = 0; i < sizeof stale / sizeof stale[0]; i++)
            if (R(hftipc_channel_open_takeover, w->path, (hftipc_role_t)role, stale[i], &ch) == 0)
                hftipc_channel_close(ch);
        hftipc_options_t o;
        hftipc_options_init(&o);
        o.capacity = CAPACITY;
        o.slot_size = SLOT_SIZE;
        o.mode = w->kind == WORLD_MPSC ? HFTIPC_MODE_MPSC : HFTIPC_MODE_SPSC;
        if (R(hftipc_channel_open_or_create, w->path, &o, (hftipc_role_t)role, &ch) == 0)
            hftipc_channel_close(ch);
    }
}

/* A few messages in flight, so cursors and slots hold something. */
static void some_traffic(world *w)
{
    char msg[16] = "hostile";
    char buf[64];
    for (int i = 0; i < 5; i++)
        R(hftipc_channel_send, w->p, msg, sizeof msg);
    R(hftipc_channel_receive, w->c, buf, sizeof buf);
    R(hftipc_channel_receive, w->o, buf, sizeof buf);
}

static void test_hostile_values_in_every_field(void **state)
{
    (void)state;
    ops_timeout_ns = 1000; /* the blocking paths, not the sleeping: thousands of worlds */
    unsigned long worlds = 0;
    for (int kind = 0; kind < WORLD_KINDS; kind++) {
        for (size_t f = 0; f < N_FIELDS; f++) {
            for (size_t v = 0; v < N_VALUES; v++) {
                world w;
                assert_int_equal(world_make(&w, kind, CAPACITY, SLOT_SIZE, 7), 0);
                some_traffic(&w);
                uint64_t value = hostile_value(&w, &fields[f], v);
                char what[160];
                snprintf(what, sizeof what, "%s: %s = %llu", world_kind_names[kind], fields[f].name,
                         (unsigned long long)value);
                scenario = what;
                write_field(&w, &fields[f], value);
                all_ops(&w);
                open_ops(&w);
                /* Our own handles reopened: attach reads the hostile cursors and records. */
                hftipc_channel_close(w.p);
                hftipc_channel_close(w.c);
                hftipc_channel_close(w.o);
                w.p = w.c = w.o = NULL;
                write_field(&w, &fields[f], value); /* again: close may have released it */
                hftipc_channel_t **mine[3] = {&w.p, &w.c, &w.o};
                for (int role = HFTIPC_ROLE_PRODUCER; role <= HFTIPC_ROLE_OBSERVER; role++)
                    if (R(hftipc_channel_open, w.path, (hftipc_role_t)role, mine[role - 1]) != 0)
                        *mine[role - 1] = NULL;
                all_ops(&w);
                some_traffic(&w);
                all_ops(&w);
                world_free(&w);
                worlds++;
            }
        }
    }
    printf("%lu hostile worlds, %lu calls; statuses seen per function:\n", worlds, doc_calls);
    assert_int_equal(doc_report(stdout, 1), 0);
}

/* A live process that is not this one: the parent test runner on POSIX; on Windows, whose
 * processes need not have a live parent (under Wine, it is no Windows process), this one's
 * parent if it lives, else any other live process of the session. */
static uint32_t other_live_pid(void)
{
#if defined(_WIN32)
    uint32_t self = hftipc__os_self_pid(), parent = 0, other = 0;
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    assert_true(snap != INVALID_HANDLE_VALUE);
    PROCESSENTRY32 pe;
    pe.dwSize = sizeof pe;
    for (BOOL more = Process32First(snap, &pe); more; more = Process32Next(snap, &pe)) {
        uint64_t start;
        if (pe.th32ProcessID == self)
            parent = (uint32_t)pe.th32ParentProcessID;
        else if (other == 0 && pe.th32ProcessID > 4 &&
                 hftipc__os_process_probe((uint32_t)pe.th32ProcessID, &start) ==
                     HFTIPC__OS_PROC_ALIVE)
            other = (uint32_t)pe.th32ProcessID;
    }
    CloseHandle(snap);
    uint64_t start;
    if (parent != 0 && parent != self &&
        hftipc__os_process_probe(parent, &start) == HFTIPC__OS_PROC_ALIVE)
        return parent;
    assert_true(other != 0);
    return other;
#else
    return (uint32_t)getppid();
#endif
}

/* A stale holder that is alive (another process, idle): Linux proves it idle through
 * membarrier and takes the role; the generic POSIX layer can neither prove that nor end the
 * process safely, and refuses (docs/FORMAT.md section 12). */
#if defined(HFTIPC_PLATFORM_LINUX)
#define TAKEN_FROM_LIVE_HOLDER HFTIPC_OK
#else
#define TAKEN_FROM_LIVE_HOLDER HFTIPC_ENOFENCE
#endif

/* Finding 8 itself: a live holder of another process whose heartbeat is forged. The staleness
 * test subtracted the heartbeat from the clock as signed 64-bit: UBSan aborted here. */
static void test_forged_heartbeat_takeover(void **state)
{
    (void)state;
    static const uint64_t beats[] = {1,          1ull << 62, INT64_MAX,      1ull << 63,
                                     UINT64_MAX, 0,          UINT64_MAX - 1, (1ull << 63) + 1};
    static const int64_t stale[] = {0, 1, 1000 * MS, INT64_MAX};
    for (int kind = 0; kind < WORLD_KINDS; kind++) {
        for (size_t b = 0; b < sizeof beats / sizeof beats[0]; b++) {
            world w;
            assert_int_equal(world_make(&w, kind, CAPACITY, SLOT_SIZE, 0), 0);
            hftipc__holder *hs[2 + HFTIPC_MPSC_MAX_PRODUCERS];
            int n = world_holders(&w, hs, 2 + HFTIPC_MPSC_MAX_PRODUCERS);
            /* Another process: alive, not us (start time 0 matches any process). */
            uint32_t foreign = other_live_pid();
            for (int i = 0; i < n; i++) {
                hftipc__store_relaxed_u64(&hs[i]->owner, (uint64_t)foreign);
                hftipc__store_relaxed_u64(&hs[i]->heartbeat_ns, beats[b]);
            }
            char what[96];
            snprintf(what, sizeof what, "%s: foreign holder, heartbeat %llu",
                     world_kind_names[kind], (unsigned long long)beats[b]);
            scenario = what;
            for (int role = HFTIPC_ROLE_PRODUCER; role <= HFTIPC_ROLE_CONSUMER; role++) {
                for (size_t s = 0; s < sizeof stale / sizeof stale[0]; s++) {
                    hftipc_channel_t *ch;
                    int64_t rc =
                        R(hftipc_channel_open_takeover, w.path, (hftipc_role_t)role, stale[s], &ch);
                    /* A heartbeat from the future is fresh; a beat long ago is stale for any
                     * limit below its age. */
                    uint64_t now = (uint64_t)hftipc__monotonic_ns();
                    uint64_t age = now > beats[b] ? now - beats[b] : 0;
                    int expect_taken = beats[b] != 0 && age > (uint64_t)stale[s];
                    int want = expect_taken ? TAKEN_FROM_LIVE_HOLDER : HFTIPC_EBUSY;
                    if (rc != want)
                        fprintf(stderr, "%s, role %d, stale_after_ns %lld: %s\n", what, role,
                                (long long)stale[s], hftipc_err_name(rc));
                    assert_int_equal(rc, want);
                    if (rc == 0) {
                        hftipc_channel_close(ch);
                        /* Give the role back to the forged holder for the next limit. */
                        for (int i = 0; i < n; i++) {
                            hftipc__store_relaxed_u64(&hs[i]->owner, (uint64_t)foreign);
                            hftipc__store_relaxed_u64(&hs[i]->heartbeat_ns, beats[b]);
                        }
                    }
                }
            }
            world_free(&w);
        }
    }
    assert_int_equal(doc_report(stdout, 0), 0);
}

int main(void)
{
#if defined(SIGPIPE)
    signal(SIGPIPE, SIG_IGN);
#endif
    if (doc_load(HFTIPC_HEADER_PATH) != 0) {
        fprintf(stderr, "cannot read the @return lists of %s\n", HFTIPC_HEADER_PATH);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forged_heartbeat_takeover),
        cmocka_unit_test(test_hostile_values_in_every_field),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    test_scratch_cleanup();
    return rc;
}
