/*
 * The CLI's only operating-system code: signals, the running program's directory, running
 * another program, reading a line, unlinking a file, terminal and binary output. Everything
 * else in tools/cli/ is C11 and the public API, so the tool builds for Linux, macOS and Windows
 * (the windows and macos-* presets) from the same sources. Like the core's platform layer, the
 * Windows half and the POSIX half are in one file, each compiled only where it applies.
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#include <process.h>
#include <windows.h>
#else
#include <unistd.h>
#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif
#endif

/* ---- Signals ------------------------------------------------------------------------------- */

volatile sig_atomic_t cli_stop;

/* The watch a signal stops, or NULL. Lock-free (a pointer), so the handler may touch it. */
static _Atomic(hftipc_watch_t *) stop_watch;

void cli_stop_watch_on_signal(hftipc_watch_t *w)
{
    /* Release: pairs with the acquire in on_signal(), so a handler that sees the pointer sees
     * the watch it points to fully opened. Cleared before the watch is closed; on POSIX the
     * program has one thread, so a handler that loaded the old pointer has finished by then.
     * (On Windows the C runtime runs a Ctrl-C handler on a thread of its own; the program exits
     * after a watch is closed, so a late handler stops nothing that matters.) */
    atomic_store_explicit(&stop_watch, w, memory_order_release);
}

static void on_signal(int sig)
{
    cli_stop = 1;
    /* Acquire: pairs with the release in cli_stop_watch_on_signal(). hftipc_watch_stop() is
     * async-signal-safe; it makes a blocked hftipc_watch_next() return 0 at once, which a
     * signal alone would not (the wait has an absolute deadline and retries on EINTR). */
    hftipc_watch_t *w = atomic_load_explicit(&stop_watch, memory_order_acquire);
    if (w != NULL)
        hftipc_watch_stop(w);
#if defined(_WIN32)
    signal(sig, on_signal); /* the C runtime resets the handler before it calls it */
#else
    (void)sig;
#endif
}

void cli_install_signals(void)
{
#if defined(_WIN32)
    /* Ctrl-C and Ctrl-Break (SIGINT, SIGBREAK through the C runtime) and SIGTERM, which the
     * runtime raises only from raise(); a console close ends the process regardless. */
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGBREAK, on_signal);
    /* Payloads go out byte for byte (recv --text, inspect --json and the rest print "\n"
     * only), as on POSIX: no "\r\n" translation on standard output. Standard input stays
     * text, so `send` reads the lines of a Windows text file without their '\r'. */
    _setmode(_fileno(stdout), _O_BINARY);
#else
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a blocking read of stdin or a sleep returns early with EINTR. */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A closed pipe on stdout becomes a write error (EPIPE) we report, not a silent death. */
    signal(SIGPIPE, SIG_IGN);
#endif
}

/* ---- Files and terminals ------------------------------------------------------------------- */

int cli_unlink(const char *path)
{
#if defined(_WIN32)
    return _unlink(path);
#else
    return unlink(path);
#endif
}

int cli_stdout_is_terminal(void)
{
#if defined(_WIN32)
    return _isatty(_fileno(stdout));
#else
    return isatty(STDOUT_FILENO);
#endif
}

int64_t cli_getline(char **line, size_t *cap, FILE *f)
{
#if defined(_WIN32)
    /* No getline() in the Windows C runtime: the same contract from fgets() chunks. */
    size_t len = 0;
    for (;;) {
        if (*line == NULL || *cap - len < 2) {
            size_t ncap = *cap < 128 ? 128 : *cap * 2;
            char *n = realloc(*line, ncap);
            if (n == NULL) {
                errno = ENOMEM;
                return -1;
            }
            *line = n;
            *cap = ncap;
        }
        if (fgets(*line + len, (int)(*cap - len > INT32_MAX ? INT32_MAX : *cap - len), f) == NULL)
            return len > 0 && !ferror(f) ? (int64_t)len : -1;
        len += strlen(*line + len);
        if (len > 0 && (*line)[len - 1] == '\n')
            return (int64_t)len;
    }
#else
    return getline(line, cap, f);
#endif
}

/* ---- This program and other programs ------------------------------------------------------- */

int cli_self_dir(char *buf, size_t len)
{
    if (len < 2)
        return -1;
#if defined(_WIN32)
    DWORD n = GetModuleFileNameA(NULL, buf, (DWORD)len);
    if (n == 0 || n >= len)
        return -1;
    char *sep = strrchr(buf, '\\');
    char *slash = strrchr(buf, '/');
    if (slash != NULL && (sep == NULL || slash > sep))
        sep = slash;
#elif defined(__APPLE__)
    uint32_t size = (uint32_t)len;
    if (_NSGetExecutablePath(buf, &size) != 0)
        return -1;
    char *sep = strrchr(buf, '/');
#else
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *sep = strrchr(buf, '/');
#endif
    if (sep == NULL)
        return -1;
    *sep = '\0';
    return 0;
}

int cli_is_executable(const char *path)
{
#if defined(_WIN32)
    DWORD attrs = GetFileAttributesA(path);
    return attrs != INVALID_FILE_ATTRIBUTES && !(attrs & FILE_ATTRIBUTE_DIRECTORY);
#else
    return access(path, X_OK) == 0;
#endif
}

#if defined(_WIN32)
/* One argument quoted as the C runtime's command-line parser reads it back: in double quotes,
 * a quote escaped with a backslash and the backslashes before a quote or the end doubled. */
static char *quote_arg(const char *arg)
{
    size_t n = strlen(arg);
    char *out = malloc(2 * n + 3);
    if (out == NULL)
        return NULL;
    char *o = out;
    *o++ = '"';
    for (size_t k = 0;; k++) {
        size_t slashes = 0;
        while (arg[k] == '\\') {
            slashes++;
            k++;
        }
        if (arg[k] == '\0' || arg[k] == '"') {
            for (size_t s = 0; s < slashes * 2; s++)
                *o++ = '\\';
            if (arg[k] == '\0')
                break;
            *o++ = '\\';
            *o++ = '"';
        } else {
            for (size_t s = 0; s < slashes; s++)
                *o++ = '\\';
            *o++ = arg[k];
        }
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

/* Windows has no exec(): the program runs as a child, and its exit status becomes ours. */
static int spawn_and_exit(const char *path, char **args, int search)
{
    size_t n = 0;
    while (args[n] != NULL)
        n++;
    char **quoted = calloc(n + 1, sizeof *quoted);
    if (quoted == NULL)
        return -1;
    for (size_t k = 0; k < n; k++)
        if ((quoted[k] = quote_arg(args[k])) == NULL) {
            while (k > 0)
                free(quoted[--k]);
            free(quoted);
            errno = ENOMEM;
            return -1;
        }
    fflush(stdout);
    intptr_t rc = search ? _spawnvp(_P_WAIT, path, (const char *const *)quoted)
                         : _spawnv(_P_WAIT, path, (const char *const *)quoted);
    int saved = errno;
    for (size_t k = 0; k < n; k++)
        free(quoted[k]);
    free(quoted);
    if (rc == -1) {
        errno = saved;
        return -1;
    }
    exit((int)rc);
}
#endif

int cli_exec(const char *path, char **args)
{
#if defined(_WIN32)
    return spawn_and_exit(path, args, 0);
#else
    execv(path, args);
    return -1;
#endif
}

int cli_exec_in_path(const char *name, char **args)
{
#if defined(_WIN32)
    return spawn_and_exit(name, args, 1);
#else
    execvp(name, args);
    return -1;
#endif
}
