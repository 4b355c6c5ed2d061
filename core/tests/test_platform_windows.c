/*
 * The Windows platform layer (core/src/platform/windows.c) against what platform.h documents,
 * where the POSIX tests rely on mechanisms Windows does not have (HFTIPC_TESTS_NOT_ON_WINDOWS in
 * core/tests/CMakeLists.txt lists them): fork() becomes a child process started from this very
 * program (CreateProcess), kill -9 becomes TerminateProcess, the futex becomes the layer's
 * cross-process wake-up, O_TMPFILE becomes the create-then-link, mode 0600 becomes an owner-only
 * ACL. Built for Windows only; scripts/cross.sh windows runs it under Wine.
 *
 *   test_platform_windows                   the tests
 *   test_platform_windows --child-sleep     (child) sleeps until ended
 *   test_platform_windows --child-map PATH  (child) maps PATH and sleeps until ended
 *   test_platform_windows --child-wake PATH (child) maps PATH, sets its first word, wakes it
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdatomic.h>

#include <windows.h>
/* After windows.h: they use its types. */
#include <aclapi.h>
#include <sddl.h>

#include "hftipc.h"
#include "platform/platform.h"
#include "test_util.h"

#define MAP_LEN 65536

static char self_exe[MAX_PATH + 1];
/* Every child is in this job, which ends them when this process ends: a failed assertion
 * leaves no child behind (what PR_SET_PDEATHSIG does for the POSIX tests). */
static HANDLE children_job;

/* ---- Children ---------------------------------------------------------------------------- */

typedef struct child {
    PROCESS_INFORMATION pi;
} child;

/* Starts this program with `mode` (and `path`) as a child process. */
static void child_start(child *c, const char *mode, const char *path)
{
    char cmd[2 * MAX_PATH + 64];
    snprintf(cmd, sizeof cmd, "\"%s\" %s \"%s\"", self_exe, mode, path ? path : "");
    STARTUPINFOA si;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    memset(&c->pi, 0, sizeof c->pi);
    /* Suspended until it is in the job, so that it cannot outlive us even for a moment. */
    assert_true(CreateProcessA(self_exe, cmd, NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &si,
                               &c->pi));
    assert_true(AssignProcessToJobObject(children_job, c->pi.hProcess));
    assert_true(ResumeThread(c->pi.hThread) != (DWORD)-1);
}

/* Waits up to `ms` for the child to end: 1 when it has, with its exit code. */
static int child_wait(child *c, DWORD ms, DWORD *code)
{
    if (WaitForSingleObject(c->pi.hProcess, ms) != WAIT_OBJECT_0)
        return 0;
    GetExitCodeProcess(c->pi.hProcess, code);
    return 1;
}

static void child_end(child *c)
{
    TerminateProcess(c->pi.hProcess, 9);
    WaitForSingleObject(c->pi.hProcess, 10000);
    CloseHandle(c->pi.hProcess);
    CloseHandle(c->pi.hThread);
}

/* A file of MAP_LEN zero bytes at `path`, created and mapped through the layer. */
static void *map_new_file(const char *path, hftipc__os_file *f)
{
    *f = (hftipc__os_file)HFTIPC__OS_FILE_INIT;
    assert_int_equal(hftipc__os_file_create_unlinked(path, MAP_LEN, 0600, f), HFTIPC_OK);
    assert_int_equal(hftipc__os_file_link(f, path), HFTIPC_OK);
    void *base = NULL;
    assert_int_equal(hftipc__os_map(f, MAP_LEN, 1, &base), HFTIPC_OK);
    return base;
}

static void *map_existing_file(const char *path)
{
    hftipc__os_file f = HFTIPC__OS_FILE_INIT;
    uint64_t size = 0;
    if (hftipc__os_file_open(path, 1, &f, &size) != HFTIPC_OK || size < MAP_LEN)
        return NULL;
    void *base = NULL;
    int rc = hftipc__os_map(&f, MAP_LEN, 1, &base);
    hftipc__os_file_close(&f);
    return rc == HFTIPC_OK ? base : NULL;
}

static int child_main(int argc, char **argv)
{
    if (strcmp(argv[1], "--child-sleep") == 0) {
        Sleep(120000);
        return 0;
    }
    if (argc < 3)
        return 2;
    _Atomic uint32_t *word = map_existing_file(argv[2]);
    if (word == NULL)
        return 3;
    if (strcmp(argv[1], "--child-map") == 0) {
        Sleep(120000);
        return 0;
    }
    if (strcmp(argv[1], "--child-wake") == 0) {
        Sleep(300); /* let the parent go to sleep first */
        /* Release: pairs with the parent's acquire load, as a publisher's store does. */
        atomic_store_explicit(word, 1, memory_order_release);
        hftipc__os_wake((const void *)word);
        return 0;
    }
    return 2;
}

/* ---- Files ------------------------------------------------------------------------------- */

/* platform.h: the created file is not at `path` until linked; linking over anything is
 * HFTIPC_EEXIST (exactly one racer wins); a loser's temporary file does not stay behind. */
static void test_windows_created_file_appears_only_when_linked(void **state)
{
    (void)state;
    const char *path = test_path("created");
    hftipc__os_file f = HFTIPC__OS_FILE_INIT;
    assert_int_equal(hftipc__os_file_create_unlinked(path, MAP_LEN, 0600, &f), HFTIPC_OK);
    assert_int_equal(GetFileAttributesA(path), INVALID_FILE_ATTRIBUTES);
    assert_int_equal(hftipc__os_file_link(&f, path), HFTIPC_OK);
    assert_int_not_equal(GetFileAttributesA(path), INVALID_FILE_ATTRIBUTES);
    assert_int_equal(hftipc__os_file_close(&f), HFTIPC_OK);

    hftipc__os_file g = HFTIPC__OS_FILE_INIT;
    uint64_t size = 0;
    assert_int_equal(hftipc__os_file_open(path, 0, &g, &size), HFTIPC_OK);
    assert_int_equal(size, MAP_LEN);
    assert_int_equal(hftipc__os_file_close(&g), HFTIPC_OK);

    hftipc__os_file loser = HFTIPC__OS_FILE_INIT;
    assert_int_equal(hftipc__os_file_create_unlinked(path, MAP_LEN, 0600, &loser), HFTIPC_OK);
    assert_int_equal(hftipc__os_file_link(&loser, path), HFTIPC_EEXIST);
    assert_int_equal(hftipc__os_file_close(&loser), HFTIPC_OK);
    char pattern[600];
    snprintf(pattern, sizeof pattern, "%s\\*", test_scratch());
    WIN32_FIND_DATAA fd;
    HANDLE h = FindFirstFileA(pattern, &fd);
    assert_true(h != INVALID_HANDLE_VALUE);
    int names = 0;
    do {
        if (strcmp(fd.cFileName, ".") != 0 && strcmp(fd.cFileName, "..") != 0) {
            print_message("scratch entry: %s\n", fd.cFileName);
            names++;
        }
    } while (FindNextFileA(h, &fd));
    FindClose(h);
    assert_int_equal(names, 1); /* "created" alone: no temporary file left */
    assert_int_equal(hftipc__os_unlink(path), HFTIPC_OK);
    assert_int_equal(GetFileAttributesA(path), INVALID_FILE_ATTRIBUTES);
    assert_int_equal(hftipc__os_unlink(path), HFTIPC_OK); /* already gone: OK */
}

/* platform.h: mode 0600 is an owner-only ACL on Windows: a DACL (a NULL one would let anyone
 * in) that allows the file's owner, and nobody else but LocalSystem and the Administrators
 * group, Windows' equivalents of root, whom 0600 does not keep out either (the rule OpenSSH for
 * Windows applies to private keys). Never Everyone, Users or Authenticated Users. */
static void test_windows_mode_0600_is_an_owner_only_acl(void **state)
{
    (void)state;
    const char *path = test_path("acl");
    hftipc__os_file f = HFTIPC__OS_FILE_INIT;
    assert_int_equal(hftipc__os_file_create_unlinked(path, 4096, 0600, &f), HFTIPC_OK);
    assert_int_equal(hftipc__os_file_link(&f, path), HFTIPC_OK);
    assert_int_equal(hftipc__os_file_close(&f), HFTIPC_OK);

    PSID owner = NULL;
    PACL dacl = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    DWORD rc = GetNamedSecurityInfoA(path, SE_FILE_OBJECT,
                                     OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &owner,
                                     NULL, &dacl, NULL, &sd);
    assert_int_equal(rc, ERROR_SUCCESS);
    assert_non_null(owner);
    assert_non_null(dacl);
    SID_IDENTIFIER_AUTHORITY world_auth = {SECURITY_WORLD_SID_AUTHORITY};
    PSID everyone = NULL;
    assert_true(AllocateAndInitializeSid(&world_auth, 1, SECURITY_WORLD_RID, 0, 0, 0, 0, 0, 0, 0,
                                         &everyone));
    PSID system = NULL, admins = NULL;
    SID_IDENTIFIER_AUTHORITY nt_auth = {SECURITY_NT_AUTHORITY};
    assert_true(AllocateAndInitializeSid(&nt_auth, 1, SECURITY_LOCAL_SYSTEM_RID, 0, 0, 0, 0, 0, 0,
                                         0, &system));
    assert_true(AllocateAndInitializeSid(&nt_auth, 2, SECURITY_BUILTIN_DOMAIN_RID,
                                         DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0, 0, 0, 0, &admins));
    int allowed = 0;
    for (DWORD k = 0; k < dacl->AceCount; k++) {
        ACE_HEADER *ace = NULL;
        assert_true(GetAce(dacl, k, (void **)&ace));
        if (ace->AceType != ACCESS_ALLOWED_ACE_TYPE)
            continue;
        ACCESS_ALLOWED_ACE *allow = (ACCESS_ALLOWED_ACE *)ace;
        PSID sid = (PSID)&allow->SidStart;
        char *who = NULL, *own = NULL;
        ConvertSidToStringSidA(sid, &who);
        ConvertSidToStringSidA(owner, &own);
        print_message("DACL entry %u allows %s (mask 0x%lx); the owner is %s\n", (unsigned)k,
                      who ? who : "?", (unsigned long)allow->Mask, own ? own : "?");
        LocalFree(who);
        LocalFree(own);
        assert_false(EqualSid(sid, everyone));
        assert_true(EqualSid(sid, owner) || EqualSid(sid, system) || EqualSid(sid, admins));
        if (EqualSid(sid, owner))
            allowed++;
    }
    print_message("DACL: %u entries, %d of them allowing the owner\n", (unsigned)dacl->AceCount,
                  allowed);
    assert_true(allowed >= 1);
    FreeSid(everyone);
    FreeSid(system);
    FreeSid(admins);
    LocalFree(sd);
    assert_int_equal(hftipc__os_unlink(path), HFTIPC_OK);
}

/* platform.h: hftipc__os_file_is_at says whether the path still names the open file (what the
 * channel's staleness check relies on, FORMAT.md section 15): yes for the file that was created
 * and linked there and for one opened by the path, while a peer has it open and mapped too; no
 * once the file has moved away from the path, or the path names another file. */
static void test_windows_open_file_is_at_its_path(void **state)
{
    (void)state;
    const char *path = test_path("is-at");
    hftipc__os_file made;
    void *base = map_new_file(path, &made);
    assert_int_equal(hftipc__os_file_is_at(&made, path), 1);

    hftipc__os_file opened = HFTIPC__OS_FILE_INIT;
    uint64_t size = 0;
    assert_int_equal(hftipc__os_file_open(path, 1, &opened, &size), HFTIPC_OK);
    assert_int_equal(hftipc__os_file_is_at(&opened, path), 1);
    assert_int_equal(hftipc__os_file_is_at(&made, path), 1);

    /* Moved away: nothing is at the path. (Not removed: Windows keeps the name of a deleted
     * file that is still open until its last handle closes, Wine too.) */
    char moved[600];
    snprintf(moved, sizeof moved, "%s.moved", path);
    assert_true(MoveFileExA(path, moved, 0));
    assert_int_equal(hftipc__os_file_is_at(&made, path), 0);
    /* Replaced: another file at the same path is not ours. */
    hftipc__os_file other;
    void *obase = map_new_file(path, &other);
    assert_int_equal(hftipc__os_file_is_at(&other, path), 1);
    assert_int_equal(hftipc__os_file_is_at(&made, path), 0);
    assert_int_equal(hftipc__os_file_is_at(&opened, path), 0);

    assert_int_equal(hftipc__os_unmap(obase, MAP_LEN), HFTIPC_OK);
    assert_int_equal(hftipc__os_file_close(&other), HFTIPC_OK);
    assert_int_equal(hftipc__os_unmap(base, MAP_LEN), HFTIPC_OK);
    assert_int_equal(hftipc__os_file_close(&opened), HFTIPC_OK);
    assert_int_equal(hftipc__os_file_close(&made), HFTIPC_OK);
    assert_int_equal(hftipc__os_unlink(path), HFTIPC_OK);
    assert_int_equal(hftipc__os_unlink(moved), HFTIPC_OK);
}

/* ---- Processes --------------------------------------------------------------------------- */

/* platform.h: a process that exists is ALIVE with its start time, and one that has ended is
 * DEAD (OpenProcess + GetProcessTimes, where Linux reads /proc). */
static void test_windows_an_ended_process_is_dead(void **state)
{
    (void)state;
    uint64_t start = 0;
    assert_int_equal(hftipc__os_process_probe(hftipc__os_self_pid(), &start),
                     HFTIPC__OS_PROC_ALIVE);
    assert_true(start != 0);
    assert_true(start == hftipc__os_self_start());

    child c;
    child_start(&c, "--child-sleep", NULL);
    uint64_t child_start_time = 0;
    assert_int_equal(hftipc__os_process_probe((uint32_t)c.pi.dwProcessId, &child_start_time),
                     HFTIPC__OS_PROC_ALIVE);
    assert_true(child_start_time != 0);
    child_end(&c); /* kill -9 */
    uint64_t after = 0;
    assert_int_equal(hftipc__os_process_probe((uint32_t)c.pi.dwProcessId, &after),
                     HFTIPC__OS_PROC_DEAD);
    /* A pid no process has: Windows pids are multiples of 4 far below this one. */
    assert_int_equal(hftipc__os_process_probe(0xFFFFFFF1u, &after), HFTIPC__OS_PROC_DEAD);
}

/* platform.h: hftipc__os_process_end ends a process only if it is the one that started at
 * `start` and maps the channel file; otherwise it leaves it alone and says 0. Never an
 * unrelated process: that is the safety a takeover relies on. The Windows layer ends none
 * (FORMAT.md section 12). */
static void test_windows_process_end_spares_what_it_must(void **state)
{
    (void)state;
    const char *path = test_path("end");
    hftipc__os_file chan;
    void *base = map_new_file(path, &chan);

    /* A process that does not map the file is never ended. */
    child other;
    child_start(&other, "--child-sleep", NULL);
    uint64_t start = 0;
    assert_int_equal(hftipc__os_process_probe((uint32_t)other.pi.dwProcessId, &start),
                     HFTIPC__OS_PROC_ALIVE);
    assert_int_equal(
        hftipc__os_process_end((uint32_t)other.pi.dwProcessId, start, UINT64_MAX, &chan), 0);
    DWORD code = 0;
    assert_false(child_wait(&other, 0, &code));

    /* Nor one whose start time is not the recorded one (the pid was reused). */
    child mapper;
    child_start(&mapper, "--child-map", path);
    Sleep(500); /* let it map the file */
    uint64_t mstart = 0;
    assert_int_equal(hftipc__os_process_probe((uint32_t)mapper.pi.dwProcessId, &mstart),
                     HFTIPC__OS_PROC_ALIVE);
    assert_int_equal(
        hftipc__os_process_end((uint32_t)mapper.pi.dwProcessId, mstart + 1, UINT64_MAX, &chan), 0);
    assert_false(child_wait(&mapper, 0, &code));

    /* Not even the right process: nothing cheap proves on Windows that it maps the file, so
     * the layer ends nobody and says 0, which makes the takeover HFTIPC_ENOFENCE (FORMAT.md
     * section 12, the Windows row). The answer must match what happened: still running. */
    int ended = hftipc__os_process_end((uint32_t)mapper.pi.dwProcessId, mstart, UINT64_MAX, &chan);
    int gone = child_wait(&mapper, 1000, &code);
    print_message("process_end of the process that maps the file: %d (gone: %d)\n", ended, gone);
    assert_int_equal(ended, 0);
    assert_false(gone);

    child_end(&other);
    child_end(&mapper);
    assert_int_equal(hftipc__os_unmap(base, MAP_LEN), HFTIPC_OK);
    assert_int_equal(hftipc__os_file_close(&chan), HFTIPC_OK);
    assert_int_equal(hftipc__os_unlink(path), HFTIPC_OK);
}

/* ---- Waiting ----------------------------------------------------------------------------- */

/* platform.h: a sleeper on a word of a shared mapping sees another process's store and wake
 * (where Linux has the futex): it returns once the word changed, long before its deadline. */
static void test_windows_wake_crosses_processes(void **state)
{
    (void)state;
    const char *path = test_path("wake");
    hftipc__os_file f;
    _Atomic uint32_t *word = map_new_file(path, &f);
    atomic_store_explicit(word, 0, memory_order_relaxed);

    child c;
    child_start(&c, "--child-wake", path);
    int64_t t0 = hftipc__monotonic_ns();
    int64_t deadline = t0 + 10 * 1000000000LL;
    int sleeps = 0;
    /* Acquire: pairs with the child's release store. */
    while (atomic_load_explicit(word, memory_order_acquire) == 0 &&
           hftipc__monotonic_ns() < deadline) {
        hftipc__os_sleep_on((const void *)word, 0, deadline);
        sleeps++;
    }
    int64_t waited_ms = (hftipc__monotonic_ns() - t0) / 1000000;
    print_message("woken after %lld ms, %d sleep call(s)\n", (long long)waited_ms, sleeps);
    assert_int_equal(atomic_load_explicit(word, memory_order_acquire), 1);
    assert_true(waited_ms < 5000); /* the child stores after 300 ms; a missed wake: 10 s */
    DWORD code = 99;
    assert_true(child_wait(&c, 10000, &code));
    assert_int_equal(code, 0);
    CloseHandle(c.pi.hProcess);
    CloseHandle(c.pi.hThread);
    assert_int_equal(hftipc__os_unmap((void *)word, MAP_LEN), HFTIPC_OK);
    assert_int_equal(hftipc__os_file_close(&f), HFTIPC_OK);
    assert_int_equal(hftipc__os_unlink(path), HFTIPC_OK);
}

/* platform.h: the monotonic clock is in nanoseconds and moves forward with time. */
static void test_windows_monotonic_clock_counts_nanoseconds(void **state)
{
    (void)state;
    int64_t a = hftipc__monotonic_ns();
    Sleep(100);
    int64_t b = hftipc__monotonic_ns();
    print_message("Sleep(100) took %lld ns on the monotonic clock\n", (long long)(b - a));
    assert_true(b - a >= 80 * 1000000LL);
    assert_true(b - a < 5 * 1000000000LL);
}

int main(int argc, char **argv)
{
    DWORD n = GetModuleFileNameA(NULL, self_exe, sizeof self_exe);
    if (n == 0 || n >= sizeof self_exe) {
        fprintf(stderr, "GetModuleFileName failed\n");
        return 1;
    }
    if (argc >= 2 && strncmp(argv[1], "--child-", 8) == 0)
        return child_main(argc, argv);
    children_job = CreateJobObjectA(NULL, NULL);
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits;
    memset(&limits, 0, sizeof limits);
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (children_job == NULL ||
        !SetInformationJobObject(children_job, JobObjectExtendedLimitInformation, &limits,
                                 sizeof limits)) {
        fprintf(stderr, "cannot make a job object for the children\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_windows_created_file_appears_only_when_linked),
        cmocka_unit_test(test_windows_mode_0600_is_an_owner_only_acl),
        cmocka_unit_test(test_windows_open_file_is_at_its_path),
        cmocka_unit_test(test_windows_an_ended_process_is_dead),
        cmocka_unit_test(test_windows_process_end_spares_what_it_must),
        cmocka_unit_test(test_windows_wake_crosses_processes),
        cmocka_unit_test(test_windows_monotonic_clock_counts_nanoseconds),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    CloseHandle(children_job); /* ends any child a failed test left running */
    test_scratch_cleanup();
    return failed;
}
