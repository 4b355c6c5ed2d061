/*
 * Sparse channel files on a full tmpfs (issue 11, finding 6). On tmpfs the first touch of a hole
 * through a mapping allocates a page, and raises SIGBUS when the file system is full; a file
 * with a valid header and holes used to pass open and then kill its producer and consumer. Now
 * a producer or consumer open allocates the holes (no byte changes) or fails with
 * HFTIPC_ENOSPC, and an observer open (read-only: it cannot allocate) fails with
 * HFTIPC_ESPARSE. The generic POSIX layer (preset posix) has no allocation that provably changes
 * no byte, so there every role refuses the holes it cannot rule out by free space with
 * HFTIPC_ESPARSE (docs/FORMAT.md, section 3), and the file stays as it was.
 *
 * Needs a small tmpfs of its own: as root, it mounts one (size=1m) in a private mount
 * namespace, so the mount disappears with the process whatever happens. Skipped (exit 77) with
 * a message when it cannot, and on every OS but Linux: the SIGBUS on a hole is tmpfs's, and the
 * private mount namespace that makes a small one safe to mount is Linux's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sched.h>
#include <signal.h>
#if defined(__linux__)
#include <sys/mount.h>
#endif
#include <sys/stat.h>

#include "format.h"
#include "hftipc.h"
#include "platform/platform.h"
#include "test_util.h"

static char mount_dir[256];

/* A SIGBUS is exactly the failure this program guards against: say so instead of dying with
 * an anonymous signal. */
static void on_sigbus(int sig)
{
    (void)sig;
    static const char msg[] = "test_sparse: SIGBUS: a hole of a sparse file was touched\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    _exit(1);
}

/* Writes a valid header for `capacity` x `slot_size` (SPSC, with commit words) at the start of
 * a new file `path`, then extends the file to its geometry without allocating anything: every
 * slot is a hole. Returns the file size. */
static uint64_t make_sparse_channel(const char *path, uint32_t capacity, uint32_t slot_size)
{
    hftipc__geometry g = {.capacity = capacity,
                          .slot_size = slot_size,
                          .mode = HFTIPC_MODE_SPSC,
                          .incompat_flags = HFTIPC__INCOMPAT_SLOT_COMMIT};
    assert_int_equal(hftipc__geometry_check(&g), HFTIPC_OK);
    static _Alignas(64) unsigned char hdr[HFTIPC__HEADER_SIZE];
    memset(hdr, 0, sizeof hdr);
    hftipc__header_encode((hftipc__header *)hdr, &g, 1, (uint32_t)getpid());
    hftipc__header_publish((hftipc__header *)hdr);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, hdr, sizeof hdr, 0), (ssize_t)sizeof hdr);
    assert_int_equal(ftruncate(fd, (off_t)g.file_size), 0);
    close(fd);
    return g.file_size;
}

/* Fills the file system of `dir` with one file until ENOSPC. Returns its path. */
static const char *fill(const char *dir)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/filler", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    static char block[4096];
    memset(block, 0xa5, sizeof block);
    while (write(fd, block, sizeof block) > 0)
        ;
    assert_int_equal(errno, ENOSPC);
    close(fd);
    return path;
}

/* Each test starts on an empty tmpfs, whatever the previous one left behind when it failed. */
static int empty_tmpfs(void **state)
{
    (void)state;
    static const char *const names[] = {"filler", "sparse", "huge"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", mount_dir, names[i]);
        unlink(path);
    }
    return 0;
}

static blkcnt_t blocks_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_blocks;
}

/* Linux allocates holes with fallocate(2), which changes no byte; the generic POSIX layer has
 * no such call and refuses them (HFTIPC_ESPARSE) in every role. */
#if defined(HFTIPC_PLATFORM_LINUX)
#define CAN_ALLOCATE_HOLES 1
#else
#define CAN_ALLOCATE_HOLES 0
#endif

/* The statuses an open in each role gives on a sparse file that cannot be allocated (`writable`
 * for a producer or consumer), and that they leave the file exactly as it was. */
static void assert_refused_unchanged(const char *path, uint64_t size, const unsigned char *before,
                                     size_t before_len, int writable)
{
    blkcnt_t blocks = blocks_of(path);
    static const struct {
        hftipc_role_t role;
        int expected;
    } rows[] = {
        {HFTIPC_ROLE_PRODUCER, 0}, /* may allocate; the tmpfs is full */
        {HFTIPC_ROLE_CONSUMER, 0},
        {HFTIPC_ROLE_OBSERVER, HFTIPC_ESPARSE}, /* read-only: may not allocate */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int expected = rows[i].expected != 0 ? rows[i].expected : writable;
        hftipc_channel_t *ch = (hftipc_channel_t *)&blocks;
        assert_int_equal(hftipc_channel_open(path, rows[i].role, &ch), expected);
        assert_null(ch);
        assert_int_equal(hftipc_channel_open_takeover(path, rows[i].role, 0, &ch), expected);
        assert_null(ch);
        hftipc_options_t o;
        hftipc_options_init(&o);
        o.capacity = 0; /* not compared: the open fails first */
        assert_int_equal(hftipc_channel_open_or_create(path, &o, rows[i].role, &ch), expected);
        assert_null(ch);
        /* A failed allocation leaves nothing behind: tmpfs undoes its own partial fallocate,
         * and the library punches nothing. */
        assert_int_equal(blocks_of(path), blocks);
    }
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_inspect(path, &info), HFTIPC_ESPARSE);
    assert_int_equal(info.file_size, size); /* the fields are still reported */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal((uint64_t)st.st_size, size);
    size_t len;
    unsigned char *after = test_read_file(path, &len);
    assert_non_null(after);
    assert_int_equal(len, before_len);
    assert_memory_equal(after, before, len);
    free(after);
}

/* A sparse channel of `capacity` x `slot_size` on the full tmpfs: refused with the file left as it
 * was (`full`: the status of a producer or consumer open); then, with room, allocated by a
 * producer open without a byte changed, and usable over every slot once the tmpfs is full
 * again; or, in the generic POSIX layer, still refused in every role, the file unchanged. */
static void sparse_on_full_tmpfs(uint32_t capacity, uint32_t slot_size, int full)
{
    char path[512];
    snprintf(path, sizeof path, "%s/sparse", mount_dir);
    uint64_t size = make_sparse_channel(path, capacity, slot_size);
    const char *filler = fill(mount_dir);
    size_t len = 0;
    /* read(2) of a hole on tmpfs returns zeros without allocating; a mapping would not. */
    unsigned char *before = test_read_file(path, &len);
    assert_non_null(before);
    assert_int_equal(len, size);
    assert_refused_unchanged(path, size, before, len, full);

    assert_int_equal(unlink(filler), 0);
    if (!CAN_ALLOCATE_HOLES) {
        assert_refused_unchanged(path, size, before, len, HFTIPC_ESPARSE);
        free(before);
        unlink(path);
        return;
    }
    hftipc_channel_t *p, *c, *o;
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &p), HFTIPC_OK);
    assert_true((uint64_t)blocks_of(path) * 512 >= size);
    unsigned char *after = test_read_file(path, &len);
    assert_non_null(after);
    /* The producer's own holder record changed in the header; every slot byte is unchanged. */
    assert_memory_equal(after + HFTIPC__HEADER_SIZE, before + HFTIPC__HEADER_SIZE,
                        size - HFTIPC__HEADER_SIZE);
    free(after);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_OBSERVER, &o), HFTIPC_OK);
    assert_int_equal(hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &c), HFTIPC_OK);
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_inspect(path, &info), HFTIPC_OK);
    /* The tmpfs is full again; nothing the channel does may fault now. */
    filler = fill(mount_dir);
    uint32_t n = slot_size - HFTIPC_SLOT_HEADER_SIZE;
    char *msg = malloc(n), *buf = malloc(n);
    assert_non_null(msg);
    assert_non_null(buf);
    for (uint32_t round = 0; round < 3 * capacity; round++) {
        memset(msg, (int)round, n);
        assert_int_equal(hftipc_channel_send(p, msg, n), HFTIPC_OK);
        assert_int_equal(hftipc_channel_receive(c, buf, n), (int64_t)n);
        assert_memory_equal(buf, msg, n);
    }
    free(msg);
    free(buf);
    hftipc_channel_close(o);
    hftipc_channel_close(c);
    hftipc_channel_close(p);
    free(before);
    unlink(filler);
    unlink(path);
}

/* 64 slots of 4 KiB: 256 KiB of holes behind the header page, more than the full tmpfs has, so
 * the open refuses before it asks for anything (statvfs). */
static void test_sparse_file_on_full_tmpfs_gives_a_status(void **state)
{
    (void)state;
    sparse_on_full_tmpfs(64, 4096, HFTIPC_ENOSPC); /* the free-space check: either layer */
}

/* One 16-byte slot: the hole is 16 bytes of a page, which the free-space check cannot rule out,
 * so fallocate itself runs and fails on the full tmpfs; tmpfs frees what it allocated, and the
 * file keeps its blocks and its bytes. */
static void test_sparse_file_whose_fallocate_fails_is_left_unchanged(void **state)
{
    (void)state;
    /* Linux: fallocate runs and fails; the generic layer refuses before trying anything. */
    sparse_on_full_tmpfs(1, 16, CAN_ALLOCATE_HOLES ? HFTIPC_ENOSPC : HFTIPC_ESPARSE);
}

/* A 512 GiB geometry is valid (the limit is 1 TiB), and its header can sit in one page of a
 * tiny tmpfs: every open must be refused without SIGBUS and without leaving any allocation. */
static void test_512_gib_sparse_file_is_refused_on_a_small_tmpfs(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/huge", mount_dir);
    uint64_t size = make_sparse_channel(path, 1u << 23, 1u << 16);
    assert_int_equal(size, (512ull << 30) + HFTIPC__HEADER_SIZE);
    blkcnt_t blocks = blocks_of(path);
    unsigned char header[HFTIPC__HEADER_SIZE];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, header, sizeof header, 0), (ssize_t)sizeof header);
    static const struct {
        hftipc_role_t role;
        int expected;
    } rows[] = {
        {HFTIPC_ROLE_PRODUCER, HFTIPC_ENOSPC},
        {HFTIPC_ROLE_CONSUMER, HFTIPC_ENOSPC},
        {HFTIPC_ROLE_OBSERVER, HFTIPC_ESPARSE},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        hftipc_channel_t *ch = NULL;
        assert_int_equal(hftipc_channel_open(path, rows[i].role, &ch), rows[i].expected);
        assert_null(ch);
        assert_int_equal(blocks_of(path), blocks);
    }
    hftipc_info_t info = {.size = sizeof info};
    assert_int_equal(hftipc_inspect(path, &info), HFTIPC_ESPARSE);
    assert_int_equal(info.capacity, 1u << 23);
    unsigned char again[HFTIPC__HEADER_SIZE];
    assert_int_equal(pread(fd, again, sizeof again, 0), (ssize_t)sizeof again);
    assert_memory_equal(again, header, sizeof header);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal((uint64_t)st.st_size, size);
    close(fd);
    unlink(path);
}

/* Mounts a 1 MiB tmpfs at a fresh directory inside a private mount namespace. Returns 0, or -1
 * with a reason in `why`. */
static int mount_small_tmpfs(char *why, size_t why_len)
{
#if !defined(__linux__)
    snprintf(why, why_len, "needs Linux (a tmpfs in a private mount namespace)");
    return -1;
#else
    if (geteuid() != 0) {
        snprintf(why, why_len, "not root: cannot mount a small tmpfs");
        return -1;
    }
    snprintf(mount_dir, sizeof mount_dir, "/tmp/hftipc-sparse-XXXXXX");
    if (mkdtemp(mount_dir) == NULL) {
        snprintf(why, why_len, "mkdtemp: %s", strerror(errno));
        return -1;
    }
    /* A private namespace: the mount is invisible to everyone else and goes away with us. */
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        snprintf(why, why_len, "no private mount namespace: %s", strerror(errno));
        rmdir(mount_dir);
        return -1;
    }
    if (mount("tmpfs", mount_dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0700") != 0) {
        snprintf(why, why_len, "mount -t tmpfs -o size=1m: %s", strerror(errno));
        rmdir(mount_dir);
        return -1;
    }
    return 0;
#endif
}

int main(void)
{
    char why[256];
    if (mount_small_tmpfs(why, sizeof why) != 0) {
        printf("test_sparse: skipped: %s\n", why);
        return 77;
    }
    signal(SIGBUS, on_sigbus);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_sparse_file_on_full_tmpfs_gives_a_status, empty_tmpfs),
        cmocka_unit_test_setup(test_sparse_file_whose_fallocate_fails_is_left_unchanged,
                               empty_tmpfs),
        cmocka_unit_test_setup(test_512_gib_sparse_file_is_refused_on_a_small_tmpfs, empty_tmpfs),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
#if defined(__linux__)
    umount2(mount_dir, MNT_DETACH);
#endif
    rmdir(mount_dir);
    return failed;
}
