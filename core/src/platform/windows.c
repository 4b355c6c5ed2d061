/*
 * The Windows platform layer (platform.h): CreateFile + CreateFileMapping/MapViewOfFile over the
 * same channel file as everywhere else, a temporary file renamed into place through its handle
 * without replacing (FileRenameInfo) for the atomic create, an owner-only ACL for mode 0600,
 * OpenProcess + GetProcessTimes for liveness. Paths are UTF-8 at the API and UTF-16 towards the OS.
 *
 * Limits (docs/FORMAT.md sections 11 and 12): no cross-process barrier (FlushProcessWriteBuffers
 * covers the calling process only) and WaitOnAddress does not cross processes, so waits are a
 * bounded backoff (the caller's spin and yield, then a sleeper that re-reads its word every
 * 0.5 ms on a high-resolution timer) and peers poll; the takeover cannot prove a stale holder
 * idle, nor check that the process maps the channel file before ending it, so it ends nobody and
 * reports HFTIPC_ENOFENCE. Directory watches poll.
 * Empty unless selected (HFTIPC_PLATFORM_WINDOWS).
 */
#include "platform.h"

#if defined(HFTIPC_PLATFORM_WINDOWS)

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#if !defined(_WIN32_WINNT) || _WIN32_WINNT < 0x0602
#undef _WIN32_WINNT
#define _WIN32_WINNT 0x0602 /* Windows 8: GetSystemTimePreciseAsFileTime */
#endif
#include <windows.h>
#include <sddl.h>
#include <winioctl.h>

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hftipc.h"

/* ---- Statuses and strings ---- */

static int status_of(DWORD err)
{
    switch (err) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
        return HFTIPC_ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
    case ERROR_WRITE_PROTECT:
        return HFTIPC_EACCES;
    case ERROR_DIRECTORY:
    case ERROR_CANT_ACCESS_FILE:
    case ERROR_CANT_RESOLVE_FILENAME:
    case ERROR_PIPE_BUSY:
        return HFTIPC_ENOTFILE;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
    case ERROR_FILE_TOO_LARGE:
        return HFTIPC_ENOSPC;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_COMMITMENT_LIMIT:
        return HFTIPC_ENOMEM;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
        return HFTIPC_EEXIST;
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
    case ERROR_FILENAME_EXCED_RANGE:
    case ERROR_INVALID_PARAMETER:
        return HFTIPC_EINVAL;
    default:
        return HFTIPC_ESYSTEM; /* GetLastError() keeps the cause */
    }
}

static int last_status(void)
{
    return status_of(GetLastError());
}

/* UTF-8 to a fresh UTF-16 string; NULL (with the last error set) when invalid or no memory. */
static wchar_t *wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    if (n <= 0)
        return NULL;
    wchar_t *w = malloc((size_t)n * sizeof *w);
    if (w == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        free(w);
        return NULL;
    }
    return w;
}

/* UTF-16 to UTF-8 into `out` of `cap` bytes; 0 when it does not fit. */
static int narrow_into(const wchar_t *w, char *out, int cap)
{
    return WideCharToMultiByte(CP_UTF8, 0, w, -1, out, cap, NULL, NULL) > 0;
}

static HANDLE handle_of(const hftipc__os_file *f)
{
    return (HANDLE)f->fd;
}

/* ---- Paths ---- */

static int is_sep(char c)
{
    return c == '/' || c == '\\';
}

char *hftipc__directory_of(const char *path)
{
    size_t n = strlen(path);
    size_t root = n >= 2 && path[1] == ':' ? 2 : 0; /* "C:" */
    size_t cut = n;
    while (cut > root && !is_sep(path[cut - 1]))
        cut--;
    if (cut == root) {
        if (root == 0)
            return _strdup(".");
        char *d = malloc(3); /* "C:": the current directory of that drive */
        if (d != NULL)
            memcpy(d, path, 2), d[2] = '\0';
        return d;
    }
    size_t len = cut - 1 == root ? cut : cut - 1; /* keep the root's own separator */
    char *d = malloc(len + 1);
    if (d == NULL)
        return NULL;
    memcpy(d, path, len);
    d[len] = '\0';
    return d;
}

char *hftipc__os_absolute_path(const char *path)
{
    wchar_t *w = wide(path);
    if (w == NULL)
        return NULL;
    wchar_t full[32768];
    DWORD n = GetFullPathNameW(w, (DWORD)(sizeof full / sizeof full[0]), full, NULL);
    free(w);
    if (n == 0 || n >= sizeof full / sizeof full[0])
        return NULL;
    char *out = malloc((size_t)n * 3 + 1);
    if (out != NULL && !narrow_into(full, out, (int)n * 3 + 1)) {
        free(out);
        out = NULL;
    }
    return out;
}

/* ---- Files ---- */

/* The user this process runs as (its token's TokenUser), as a string SID for SDDL ("S-1-5-21-..."),
 * to LocalFree; NULL with the last error set. Not "OW" (OWNER RIGHTS, S-1-3-4), a SID that only
 * stands for whoever owns the file: under Wine a DACL naming it came out allowing LocalSystem
 * alone, and the creator could neither reopen nor delete its own file. */
static wchar_t *self_sid_string(void)
{
    HANDLE token = NULL;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return NULL;
    wchar_t *out = NULL;
    DWORD len = 0;
    (void)GetTokenInformation(token, TokenUser, NULL, 0, &len);
    TOKEN_USER *user = len > 0 ? malloc(len) : NULL;
    if (user == NULL)
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    else if (GetTokenInformation(token, TokenUser, user, len, &len) &&
             !ConvertSidToStringSidW(user->User.Sid, &out))
        out = NULL;
    DWORD err = GetLastError();
    free(user);
    CloseHandle(token);
    SetLastError(err);
    return out;
}

/* A protected DACL (no inherited entries) that gives the creating user full access and, for
 * group or other bits of `mode`, what they give (read, write) to Everyone: Windows files have no
 * group (docs/FORMAT.md section 4). Mode 0600 is the owner alone. */
static PSECURITY_DESCRIPTOR descriptor_for(uint32_t mode)
{
    wchar_t *me = self_sid_string();
    if (me == NULL)
        return NULL;
    const wchar_t *others = L"";
    if ((mode & 044) && (mode & 022))
        others = L"(A;;FRFW;;;WD)";
    else if (mode & 044)
        others = L"(A;;FR;;;WD)";
    else if (mode & 022)
        others = L"(A;;FW;;;WD)";
    wchar_t sddl[256];
    PSECURITY_DESCRIPTOR sd = NULL;
    int n = _snwprintf(sddl, sizeof sddl / sizeof sddl[0], L"D:P(A;;FA;;;%ls)%ls", me, others);
    LocalFree(me);
    if (n < 0 || (size_t)n >= sizeof sddl / sizeof sddl[0]) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL))
        return NULL;
    return sd;
}

/* Marks the temporary file open on `h` for deletion when its last handle closes, through the
 * handle (opened with DELETE) rather than by name: no other file can be hit, and it works
 * whatever the file's ACL says. 1 when done. */
static int delete_on_close(HANDLE h)
{
    FILE_DISPOSITION_INFO del = {TRUE};
    return SetFileInformationByHandle(h, FileDispositionInfo, &del, sizeof del) != 0;
}

int hftipc__os_file_create_unlinked(const char *path, uint64_t size, uint32_t file_mode,
                                    hftipc__os_file *f)
{
    f->fd = -1;
    f->tmp_path = NULL;
    /* Unique within this process by the counter, across processes by the pid; a name left by
     * a dead process that had our pid is skipped (CREATE_NEW fails on it). */
    static volatile LONG counter;
    SECURITY_ATTRIBUTES sa = {sizeof sa, descriptor_for(file_mode), FALSE};
    if (sa.lpSecurityDescriptor == NULL)
        return last_status();
    size_t n = strlen(path) + 64;
    char *tmp = malloc(n);
    HANDLE h = INVALID_HANDLE_VALUE;
    DWORD err = ERROR_NOT_ENOUGH_MEMORY;
    for (int attempt = 0; tmp != NULL && attempt < 64; attempt++) {
        snprintf(tmp, n, "%s.tmp-%lu-%ld", path, (unsigned long)GetCurrentProcessId(),
                 (long)InterlockedIncrement(&counter));
        wchar_t *w = wide(tmp);
        if (w == NULL) {
            err = GetLastError();
            break;
        }
        /* DELETE and FILE_SHARE_DELETE: the rename into place works while the file is open. */
        h = CreateFileW(w, GENERIC_READ | GENERIC_WRITE | DELETE,
                        FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &sa, CREATE_NEW,
                        FILE_ATTRIBUTE_NORMAL, NULL);
        err = GetLastError();
        free(w);
        if (h != INVALID_HANDLE_VALUE || (err != ERROR_FILE_EXISTS && err != ERROR_ALREADY_EXISTS))
            break;
    }
    LocalFree(sa.lpSecurityDescriptor);
    if (h == INVALID_HANDLE_VALUE) {
        free(tmp);
        return status_of(err);
    }
    f->fd = (intptr_t)h;
    f->tmp_path = tmp;
    /* A non-sparse NTFS file gets every cluster when it is extended: a full disk fails here. */
    LARGE_INTEGER end;
    end.QuadPart = (LONGLONG)size;
    if (!SetFilePointerEx(h, end, NULL, FILE_BEGIN) || !SetEndOfFile(h)) {
        int rc = last_status();
        hftipc__os_file_close(f);
        return rc;
    }
    return HFTIPC_OK;
}

/* Renames the file open on `h` to the absolute `to` unless something is there (ReplaceIfExists
 * FALSE: ERROR_ALREADY_EXISTS). Through the handle, not by name: under Wine a handle whose file
 * was renamed by name (MoveFileExW) loses its volume (serial 0), and the channel's own file would
 * look gone from its path (hftipc__os_file_is_at). */
static BOOL rename_handle(HANDLE h, const wchar_t *to)
{
    size_t n = wcslen(to);
    size_t len = offsetof(FILE_RENAME_INFO, FileName) + (n + 1) * sizeof(wchar_t);
    FILE_RENAME_INFO *ri = calloc(1, len);
    if (ri == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    ri->ReplaceIfExists = FALSE;
    ri->RootDirectory = NULL;
    ri->FileNameLength = (DWORD)(n * sizeof(wchar_t));
    memcpy(ri->FileName, to, (n + 1) * sizeof(wchar_t));
    BOOL ok = SetFileInformationByHandle(h, FileRenameInfo, ri, (DWORD)len);
    DWORD err = GetLastError();
    free(ri);
    SetLastError(err);
    return ok;
}

int hftipc__os_file_link(hftipc__os_file *f, const char *path)
{
    if (f->tmp_path == NULL)
        return HFTIPC_EINVAL;
    wchar_t *from = wide(f->tmp_path);
    wchar_t *to = wide(path);
    wchar_t full[32768];
    int rc = HFTIPC_OK;
    DWORD n =
        to == NULL ? 0 : GetFullPathNameW(to, (DWORD)(sizeof full / sizeof full[0]), full, NULL);
    if (from == NULL || to == NULL || n == 0 || n >= sizeof full / sizeof full[0]) {
        rc = n >= sizeof full / sizeof full[0] ? HFTIPC_EINVAL : last_status();
    } else if (!rename_handle(handle_of(f), full)) {
        DWORD err = GetLastError();
        /* A file system without renames by handle: by name, which fails the same way if `path`
         * exists (no MOVEFILE_REPLACE_EXISTING). Any other failure is the answer. */
        int by_name = err == ERROR_INVALID_PARAMETER || err == ERROR_INVALID_FUNCTION ||
                      err == ERROR_NOT_SUPPORTED;
        if (!by_name)
            rc = status_of(err);
        else if (!MoveFileExW(from, full, 0))
            rc = last_status();
    }
    if (rc != HFTIPC_OK) {
        /* The loser's file goes when its handle closes (hftipc__os_file_close), by the handle;
         * by its name as well if that fails, for a file system without dispositions. */
        if (!delete_on_close(handle_of(f)) && from != NULL)
            (void)DeleteFileW(from);
    }
    free(from);
    free(to);
    free(f->tmp_path);
    f->tmp_path = NULL;
    return rc;
}

/* Opens `path` without following a reparse point (a symlink or junction is the file opened). */
static HANDLE open_nofollow(const char *path, DWORD access)
{
    wchar_t *w = wide(path);
    if (w == NULL)
        return INVALID_HANDLE_VALUE;
    HANDLE h =
        CreateFileW(w, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                    OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, NULL);
    DWORD err = GetLastError();
    free(w);
    SetLastError(err);
    return h;
}

int hftipc__os_file_open(const char *path, int writable, hftipc__os_file *f, uint64_t *size)
{
    f->fd = -1;
    f->tmp_path = NULL;
    HANDLE h = open_nofollow(path, GENERIC_READ | (writable ? GENERIC_WRITE : 0));
    if (h == INVALID_HANDLE_VALUE)
        return last_status();
    /* A symlink, a directory or a device (a named pipe) is not a channel file. */
    BY_HANDLE_FILE_INFORMATION bi;
    LARGE_INTEGER sz;
    if (!GetFileInformationByHandle(h, &bi) || !GetFileSizeEx(h, &sz)) {
        int rc = last_status();
        CloseHandle(h);
        return rc;
    }
    if ((bi.dwFileAttributes & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY)) ||
        GetFileType(h) != FILE_TYPE_DISK) {
        CloseHandle(h);
        return HFTIPC_ENOTFILE;
    }
    f->fd = (intptr_t)h;
    *size = (uint64_t)sz.QuadPart;
    return HFTIPC_OK;
}

int hftipc__os_file_read(const hftipc__os_file *f, uint64_t offset, void *buf, size_t len,
                         size_t *got)
{
    size_t n = 0;
    while (n < len) {
        OVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.Offset = (DWORD)(offset + n);
        ov.OffsetHigh = (DWORD)((offset + n) >> 32);
        DWORD want = len - n > 0x10000000u ? 0x10000000u : (DWORD)(len - n);
        DWORD r = 0;
        if (!ReadFile(handle_of(f), (char *)buf + n, want, &r, &ov)) {
            if (GetLastError() == ERROR_HANDLE_EOF)
                break;
            return last_status();
        }
        if (r == 0)
            break;
        n += r;
    }
    *got = n;
    return HFTIPC_OK;
}

int hftipc__os_file_allocate(const hftipc__os_file *f, uint64_t size, int may_allocate)
{
    (void)size;
    BY_HANDLE_FILE_INFORMATION bi;
    if (!GetFileInformationByHandle(handle_of(f), &bi))
        return last_status();
    /* Only a sparse file has holes on NTFS (and ReFS): every other file has its clusters. */
    if (!(bi.dwFileAttributes & FILE_ATTRIBUTE_SPARSE_FILE))
        return HFTIPC_OK;
    if (!may_allocate)
        return HFTIPC_ESPARSE;
    /* Clearing the sparse attribute allocates every hole, zero-filled; no byte changes. */
    FILE_SET_SPARSE_BUFFER off = {FALSE};
    DWORD ret;
    if (!DeviceIoControl(handle_of(f), FSCTL_SET_SPARSE, &off, sizeof off, NULL, 0, &ret, NULL))
        return last_status();
    return HFTIPC_OK;
}

int hftipc__os_file_is_at(const hftipc__os_file *f, const char *path)
{
    int saved = errno;
    DWORD err = GetLastError();
    int same = 0;
    BY_HANDLE_FILE_INFORMATION here, there;
    HANDLE h = f->fd >= 0 ? open_nofollow(path, FILE_READ_ATTRIBUTES) : INVALID_HANDLE_VALUE;
    if (h != INVALID_HANDLE_VALUE) {
        same = GetFileInformationByHandle(handle_of(f), &here) &&
               GetFileInformationByHandle(h, &there) &&
               here.dwVolumeSerialNumber == there.dwVolumeSerialNumber &&
               here.nFileIndexHigh == there.nFileIndexHigh &&
               here.nFileIndexLow == there.nFileIndexLow;
        CloseHandle(h);
    }
    SetLastError(err);
    errno = saved;
    return same;
}

int hftipc__os_unlink(const char *path)
{
    wchar_t *w = wide(path);
    if (w == NULL)
        return last_status();
    int rc = HFTIPC_OK;
    if (!DeleteFileW(w) && GetLastError() != ERROR_FILE_NOT_FOUND)
        rc = last_status();
    free(w);
    return rc;
}

int hftipc__os_file_close(hftipc__os_file *f)
{
    int rc = HFTIPC_OK;
    /* A temporary file never linked: deleted by its handle before that closes (see
     * delete_on_close), and by name after, in case the disposition could not be set. */
    if (f->fd >= 0 && f->tmp_path != NULL)
        (void)delete_on_close(handle_of(f));
    if (f->fd >= 0 && !CloseHandle(handle_of(f)))
        rc = HFTIPC_ESYSTEM;
    if (f->tmp_path != NULL) {
        wchar_t *w = wide(f->tmp_path);
        if (w != NULL)
            (void)DeleteFileW(w);
        free(w);
        free(f->tmp_path);
    }
    f->fd = -1;
    f->tmp_path = NULL;
    return rc;
}

int hftipc__os_map(const hftipc__os_file *f, size_t len, int writable, void **base)
{
    uint64_t n = len;
    HANDLE m = CreateFileMappingW(handle_of(f), NULL, writable ? PAGE_READWRITE : PAGE_READONLY,
                                  (DWORD)(n >> 32), (DWORD)n, NULL);
    if (m == NULL)
        return last_status();
    void *p =
        MapViewOfFile(m, writable ? FILE_MAP_READ | FILE_MAP_WRITE : FILE_MAP_READ, 0, 0, len);
    DWORD err = GetLastError();
    CloseHandle(m); /* the view keeps the mapping object alive */
    if (p == NULL)
        return status_of(err);
    *base = p;
    return HFTIPC_OK;
}

int hftipc__os_unmap(void *base, size_t len)
{
    (void)len;
    return UnmapViewOfFile(base) ? HFTIPC_OK : HFTIPC_ESYSTEM;
}

/* ---- Waits (docs/FORMAT.md section 11): a bounded backoff that polls the word ---- */

int hftipc__os_fence_register(void)
{
    /* No barrier on other processes' CPUs: peers must not rely on our wake-ups. */
    return 0;
}

void hftipc__os_announce_waiter(void) {}

#ifndef CREATE_WAITABLE_TIMER_HIGH_RESOLUTION
#define CREATE_WAITABLE_TIMER_HIGH_RESOLUTION 0x2 /* Windows 10 1803; older mingw headers */
#endif

/* How often a sleeper re-reads its word: the wake-up nobody can send from another process is
 * replaced by this poll, so a changed word is seen within about this long. */
#define SLEEP_STEP_NS   (500 * 1000)
/* The longest Sleep(1) can take at the default timer resolution (15.625 ms). */
#define SLEEP_COARSE_NS (16 * 1000 * 1000)

void hftipc__os_sleep_on(const void *word, uint32_t expected, int64_t until_ns)
{
    /* The last step of the bounded backoff (the caller spun and yielded first). No wake-up
     * crosses processes here (FORMAT.md section 11), so the sleeper polls its word itself
     * every SLEEP_STEP_NS until it changes or `until_ns` comes, on a high-resolution waitable
     * timer, which ends each step on time (Sleep rounds to the timer resolution, 15.6 ms unless
     * a process raised it, far longer than the caller's 1 ms slice). */
    const _Atomic uint32_t *w = (const _Atomic uint32_t *)word;
    DWORD err = GetLastError(); /* the caller's, kept: this function reports nothing */
    HANDLE timer =
        CreateWaitableTimerExW(NULL, NULL, CREATE_WAITABLE_TIMER_HIGH_RESOLUTION, TIMER_ALL_ACCESS);
    for (;;) {
        /* Relaxed: only whether the word changed matters here; the caller re-reads what it
         * waits for with acquire before it trusts anything. */
        if (atomic_load_explicit(w, memory_order_relaxed) != expected)
            break;
        int64_t left = until_ns - hftipc__monotonic_ns();
        if (left <= 0)
            break;
        int64_t step = left < SLEEP_STEP_NS ? left : SLEEP_STEP_NS;
        if (timer != NULL) {
            LARGE_INTEGER due; /* negative: relative, in 100 ns units */
            due.QuadPart = -(step + 99) / 100;
            if (SetWaitableTimer(timer, &due, 0, NULL, NULL, FALSE) &&
                WaitForSingleObject(timer, INFINITE) == WAIT_OBJECT_0)
                continue;
        }
        /* No high-resolution timer (Windows before 10 1803): Sleep(1) only while it cannot
         * outlast the slice even at the coarsest resolution, else give the CPU away. */
        if (left > SLEEP_COARSE_NS)
            Sleep(1);
        else
            (void)SwitchToThread();
    }
    if (timer != NULL)
        CloseHandle(timer);
    SetLastError(err);
}

int hftipc__os_wake(const void *word)
{
    (void)word;
    return 0; /* sleepers poll their word (hftipc__os_sleep_on): nobody to wake */
}

int hftipc__os_fence_all_cpus(int expedited)
{
    (void)expedited;
    return -1; /* FlushProcessWriteBuffers reaches only this process's threads */
}

void hftipc__os_yield(void)
{
    (void)SwitchToThread();
}

/* ---- Clocks ---- */

int64_t hftipc__monotonic_ns(void)
{
    /* QueryPerformanceCounter is one clock for every process of the machine. */
    LARGE_INTEGER freq, c; /* the frequency is fixed at boot; reading it is cheap */
    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&c);
    int64_t s = c.QuadPart / freq.QuadPart, r = c.QuadPart % freq.QuadPart;
    return s * 1000000000 + r * 1000000000 / freq.QuadPart;
}

/* 100 ns intervals between 1601 and 1970. */
#define EPOCH_DIFF_100NS 116444736000000000ull

uint64_t hftipc__os_realtime_ns(void)
{
    FILETIME ft;
    GetSystemTimePreciseAsFileTime(&ft);
    uint64_t t = ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
    return t < EPOCH_DIFF_100NS ? 0 : (t - EPOCH_DIFF_100NS) * 100u;
}

/* ---- Processes ---- */

uint32_t hftipc__os_self_pid(void)
{
    return (uint32_t)GetCurrentProcessId();
}

/* Creation time in milliseconds since 1601: 42 bits last 139 years, and two processes with
 * one pid cannot start in the same millisecond. 0 when unknown. */
static uint64_t start_of(HANDLE process)
{
    FILETIME created, exited, kernel, user;
    if (!GetProcessTimes(process, &created, &exited, &kernel, &user))
        return 0;
    return ((((uint64_t)created.dwHighDateTime << 32) | created.dwLowDateTime) / 10000u);
}

uint64_t hftipc__os_self_start(void)
{
    return start_of(GetCurrentProcess());
}

uint64_t hftipc__os_self_pidns(void)
{
    return 0;
}

int hftipc__os_process_probe(uint32_t pid, uint64_t *start)
{
    *start = 0;
    /* The handle pins the process object: the pid cannot be reused while we look at it. */
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE, (DWORD)pid);
    if (h == NULL)
        return GetLastError() == ERROR_INVALID_PARAMETER ? HFTIPC__OS_PROC_DEAD
                                                         : HFTIPC__OS_PROC_ALIVE;
    int state = HFTIPC__OS_PROC_ALIVE;
    /* Exited but still referenced by a handle somewhere: like a zombie, never runs again. */
    if (WaitForSingleObject(h, 0) == WAIT_OBJECT_0)
        state = HFTIPC__OS_PROC_DEAD;
    else
        *start = start_of(h);
    CloseHandle(h);
    return state;
}

int hftipc__os_process_end(uint32_t pid, uint64_t start, uint64_t start_mask,
                           const hftipc__os_file *chan)
{
    (void)pid;
    (void)start;
    (void)start_mask;
    (void)chan;
    /* TerminateProcess through a pinned handle would be race-free, but nothing cheap tells
     * whether that process maps the channel file: the owner word is untrusted, and a hostile
     * peer could name any process of ours. Not ended (docs/FORMAT.md section 12). */
    return 0;
}

/* ---- Directories ---- */

struct hftipc__os_dir {
    HANDLE find;
    int first; /* `data` holds an entry not returned yet */
    WIN32_FIND_DATAW data;
    char name[MAX_PATH * 3 + 1];
};

int hftipc__os_dir_check(const char *dir)
{
    wchar_t *w = wide(dir);
    if (w == NULL)
        return last_status();
    DWORD attrs = GetFileAttributesW(w);
    DWORD err = GetLastError();
    free(w);
    if (attrs == INVALID_FILE_ATTRIBUTES)
        return status_of(err);
    return (attrs & FILE_ATTRIBUTE_DIRECTORY) ? HFTIPC_OK : HFTIPC_ENOTFILE;
}

int hftipc__os_dir_open(const char *dir, hftipc__os_dir **out)
{
    *out = NULL;
    int rc = hftipc__os_dir_check(dir);
    if (rc != HFTIPC_OK)
        return rc;
    size_t n = strlen(dir);
    char *pattern = malloc(n + 3);
    if (pattern == NULL)
        return HFTIPC_ENOMEM;
    memcpy(pattern, dir, n);
    if (n > 0 && !is_sep(dir[n - 1]))
        pattern[n++] = '\\';
    pattern[n++] = '*';
    pattern[n] = '\0';
    wchar_t *w = wide(pattern);
    free(pattern);
    if (w == NULL)
        return last_status();
    hftipc__os_dir *d = calloc(1, sizeof *d);
    if (d == NULL) {
        free(w);
        return HFTIPC_ENOMEM;
    }
    d->find = FindFirstFileExW(w, FindExInfoBasic, &d->data, FindExSearchNameMatch, NULL, 0);
    DWORD err = GetLastError();
    free(w);
    if (d->find == INVALID_HANDLE_VALUE && err != ERROR_FILE_NOT_FOUND) {
        free(d);
        return status_of(err);
    }
    d->first = d->find != INVALID_HANDLE_VALUE;
    *out = d;
    return HFTIPC_OK;
}

int hftipc__os_dir_next(hftipc__os_dir *d, const char **name)
{
    for (;;) {
        if (d->find == INVALID_HANDLE_VALUE)
            return 0;
        if (!d->first && !FindNextFileW(d->find, &d->data))
            return GetLastError() == ERROR_NO_MORE_FILES ? 0 : last_status();
        d->first = 0;
        if (wcscmp(d->data.cFileName, L".") == 0 || wcscmp(d->data.cFileName, L"..") == 0)
            continue;
        if (!narrow_into(d->data.cFileName, d->name, (int)sizeof d->name))
            continue; /* cannot happen: a MAX_PATH name fits three bytes a unit */
        *name = d->name;
        return 1;
    }
}

void hftipc__os_dir_close(hftipc__os_dir *d)
{
    if (d == NULL)
        return;
    if (d->find != INVALID_HANDLE_VALUE)
        FindClose(d->find);
    free(d);
}

int hftipc__os_node(const char *path, int *kind, uint64_t *inode, uint64_t *bytes)
{
    HANDLE h = open_nofollow(path, FILE_READ_ATTRIBUTES);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD err = GetLastError();
        return err == ERROR_FILE_NOT_FOUND ? HFTIPC__OS_NODE_GONE : status_of(err);
    }
    BY_HANDLE_FILE_INFORMATION bi;
    if (!GetFileInformationByHandle(h, &bi)) {
        int rc = last_status();
        CloseHandle(h);
        return rc;
    }
    *inode = ((uint64_t)bi.nFileIndexHigh << 32) | bi.nFileIndexLow;
    *bytes = ((uint64_t)bi.nFileSizeHigh << 32) | bi.nFileSizeLow;
    if (bi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)
        *kind = HFTIPC__OS_NODE_SYMLINK;
    else if (bi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
        *kind = HFTIPC__OS_NODE_DIRECTORY;
    else
        *kind = GetFileType(h) == FILE_TYPE_DISK ? HFTIPC__OS_NODE_REGULAR : HFTIPC__OS_NODE_OTHER;
    CloseHandle(h);
    return HFTIPC_OK;
}

/* ---- Watching a directory: polling, with an event for the stop ---- */

struct hftipc__os_watch {
    HANDLE stop; /* NULL: no stop */
};

int hftipc__os_watch_open(const char *dir, unsigned flags, hftipc__os_watch **out)
{
    (void)dir;
    *out = NULL;
    hftipc__os_watch *w = calloc(1, sizeof *w);
    if (w == NULL)
        return HFTIPC_ENOMEM;
    if (flags & HFTIPC__OS_WATCH_STOP) {
        /* Manual reset: once stopped, every later sleep returns at once too. */
        w->stop = CreateEventW(NULL, TRUE, FALSE, NULL);
        if (w->stop == NULL) {
            int rc = last_status();
            free(w);
            return rc;
        }
    }
    *out = w;
    return HFTIPC_OK;
}

int hftipc__os_watch_arm(hftipc__os_watch *w)
{
    (void)w;
    return 0; /* no notifications: the caller rescans on its interval */
}

int hftipc__os_watch_drain(hftipc__os_watch *w)
{
    (void)w;
    return 0;
}

int hftipc__os_watch_sleep(hftipc__os_watch *w, intptr_t cancel, int64_t until_ns)
{
    HANDLE hs[2];
    DWORD n = 0;
    if (w->stop != NULL)
        hs[n++] = w->stop;
    DWORD cancel_at = n;
    if (cancel >= 0)
        hs[n++] = (HANDLE)cancel;
    DWORD timeout = INFINITE;
    if (until_ns >= 0) {
        int64_t left = until_ns - hftipc__monotonic_ns();
        int64_t ms = left <= 0 ? 0 : (left + 999999) / 1000000;
        timeout = ms >= INFINITE ? INFINITE - 1 : (DWORD)ms;
    }
    if (n == 0) {
        Sleep(timeout);
        return 0;
    }
    DWORD r = WaitForMultipleObjects(n, hs, FALSE, timeout);
    return cancel >= 0 && r == WAIT_OBJECT_0 + cancel_at;
}

void hftipc__os_watch_stop(hftipc__os_watch *w)
{
    if (w->stop != NULL)
        (void)SetEvent(w->stop);
}

void hftipc__os_watch_close(hftipc__os_watch *w)
{
    if (w == NULL)
        return;
    if (w->stop != NULL)
        CloseHandle(w->stop);
    free(w);
}

#endif /* HFTIPC_PLATFORM_WINDOWS */
