/*
 * hftipc: the command-line tool of libhftipc.
 *
 * Subcommands: create, inspect, watch, tail, send, recv, check, bench. Each has `--help`;
 * docs/CLI.md is the reference. Every subcommand goes through the public API only (hftipc.h):
 * the tool is also a worked example of using the library from C.
 *
 * Exit statuses (the same for every subcommand, see usage_main()):
 *   0 success; 1 the operation failed or a file is invalid; 2 usage error;
 *   3 the file needs a newer library (format major or incompat flag unknown to this one).
 *
 * Errors go to stderr as "hftipc: PATH: reason [HFTIPC_ESTATUS]".
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "hftipc.h"

#define EXIT_OK      0
#define EXIT_FAIL    1
#define EXIT_USAGE   2
#define EXIT_VERSION 3

/* Longest accepted duration, in seconds: about 31 years, far inside a time_t. */
#define MAX_SECONDS 1e9

/* ---- Signals ------------------------------------------------------------------------------- */

/* Set by SIGINT/SIGTERM: loops stop at the next check and close their handle, releasing the
 * role in the file instead of leaving it to be taken over from a dead holder. */
static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a blocking read of stdin or a sleep returns early with EINTR. */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A closed pipe on stdout becomes a write error (EPIPE) we report, not a silent death. */
    signal(SIGPIPE, SIG_IGN);
}

/* ---- Messages ------------------------------------------------------------------------------ */

static void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void errmsg(const char *fmt, ...)
{
    va_list ap;
    fputs("hftipc: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "hftipc%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'hftipc%s%s --help' for more information.\n", cmd ? " " : "",
            cmd ? cmd : "");
    return EXIT_USAGE;
}

/* Exit status for a library status: 3 for "needs a newer library", 1 for anything else. */
static int exit_for(int rc)
{
    if (rc == HFTIPC_OK)
        return EXIT_OK;
    if (rc == HFTIPC_EVERSION || rc == HFTIPC_EINCOMPAT)
        return EXIT_VERSION;
    return EXIT_FAIL;
}

static void version_string(uint32_t v, char *buf, size_t len)
{
    snprintf(buf, len, "%u.%u.%u", v / 10000, (v / 100) % 100, v % 100);
}

/*
 * The reason for a bad status, with the detail the status alone does not carry: both versions
 * for a format mismatch (CONVENTIONS 14), errno for a system error. `info` may be NULL.
 */
static void describe(int rc, const hftipc_info_t *info, int sys_errno, char *buf, size_t len)
{
    if (rc == HFTIPC_EVERSION && info != NULL) {
        snprintf(buf, len,
                 "channel format %u.%u is not supported: this library (hftipc %s) reads and "
                 "writes format %d.x only, so it cannot read or write this file",
                 info->format_major, info->format_minor, hftipc_version_string(),
                 HFTIPC_FORMAT_MAJOR);
    } else if (rc == HFTIPC_EINCOMPAT && info != NULL) {
        snprintf(buf, len,
                 "format %u.%u file uses incompatible feature flags 0x%llx unknown to this "
                 "library (hftipc %s, format %d.%d), so it cannot read or write this file; "
                 "it was written by a newer library",
                 info->format_major, info->format_minor,
                 (unsigned long long)(info->incompat_flags & ~HFTIPC_INCOMPAT_KNOWN),
                 hftipc_version_string(), HFTIPC_FORMAT_MAJOR, HFTIPC_FORMAT_MINOR);
    } else if (rc == HFTIPC_ESYSTEM && sys_errno != 0) {
        snprintf(buf, len, "%s: %s", hftipc_strerror(rc), strerror(sys_errno));
    } else {
        snprintf(buf, len, "%s", hftipc_strerror(rc));
    }
}

static void report(const char *path, int rc, const hftipc_info_t *info, int sys_errno)
{
    char reason[512];
    describe(rc, info, sys_errno, reason, sizeof reason);
    errmsg("%s: %s [%s]", path, reason, hftipc_err_name(rc));
}

/* ---- Number parsing ------------------------------------------------------------------------ */

/* A decimal unsigned integer, nothing else: no sign, no spaces, no trailing bytes, no overflow. */
static int parse_u64(const char *s, uint64_t *out)
{
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *out = (uint64_t)v;
    return 0;
}

/* A non-negative decimal number of seconds such as 2, 0.5 or 1.25; at most MAX_SECONDS. */
static int parse_seconds(const char *s, double *out)
{
    if (s == NULL || !((*s >= '0' && *s <= '9') || *s == '.'))
        return -1;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.'))
            return -1; /* no exponents, hex floats, inf or nan */
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0 || v > MAX_SECONDS)
        return -1;
    *out = v;
    return 0;
}

/* ---- Time ---------------------------------------------------------------------------------- */

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_seconds(double s)
{
    if (s <= 0)
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_nsec = 999999999L;
    nanosleep(&ts, NULL); /* EINTR ends the sleep early; callers check g_stop */
}

/* Backoff while a channel is empty or full: 1 ms, doubling to 50 ms; reset on progress. */
static double backoff_next(double cur)
{
    double next = cur * 2;
    return next > 0.050 ? 0.050 : next;
}

static void iso8601(uint64_t ns, char *buf, size_t len)
{
    if (ns == 0) {
        snprintf(buf, len, "unknown");
        return;
    }
    time_t sec = (time_t)(ns / 1000000000u);
    struct tm tm;
    if (gmtime_r(&sec, &tm) == NULL) {
        snprintf(buf, len, "unknown");
        return;
    }
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%03uZ", date, (unsigned)((ns % 1000000000u) / 1000000u));
}

/* ---- Option parsing ------------------------------------------------------------------------ */

/*
 * A tiny long-option parser shared by the subcommands: options may come before or after the
 * positional arguments, "--name VALUE" and "--name=VALUE" are both accepted, "--" ends options.
 * No GNU getopt_long, so the behaviour is the same on every libc.
 */
typedef struct args {
    const char *cmd;
    int argc;
    char **argv;
    int i;
    int only_positional;
    const char *value; /* value of the option just matched */
} args_t;

/* 1 if argv[i] is option `name` (taking a value when `with_value`), 0 if not, -1 on error. */
static int opt(args_t *a, const char *name, int with_value)
{
    const char *arg = a->argv[a->i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return 0;
    if (arg[n] == '\0') {
        if (!with_value) {
            a->value = NULL;
            return 1;
        }
        if (a->i + 1 >= a->argc) {
            usage_error(a->cmd, "option '%s' needs a value", name);
            return -1;
        }
        a->value = a->argv[++a->i];
        return 1;
    }
    if (arg[n] == '=') {
        if (!with_value) {
            usage_error(a->cmd, "option '%s' takes no value", name);
            return -1;
        }
        a->value = arg + n + 1;
        return 1;
    }
    return 0;
}

static int is_help(const char *s)
{
    return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0;
}

static int is_option(args_t *a)
{
    const char *arg = a->argv[a->i];
    if (a->only_positional || arg[0] != '-' || arg[1] == '\0')
        return 0;
    if (strcmp(arg, "--") == 0) {
        a->only_positional = 1;
        return -1; /* consumed; neither option nor positional */
    }
    return 1;
}

static int bad_value(args_t *a, const char *name, const char *why)
{
    return usage_error(a->cmd, "invalid value '%s' for %s: %s", a->value, name, why);
}

static int get_count(args_t *a, uint64_t *out)
{
    if (parse_u64(a->value, out) != 0)
        return bad_value(a, "--count", "expected a non-negative integer");
    return EXIT_OK;
}

static int get_seconds(args_t *a, const char *name, double *out)
{
    if (parse_seconds(a->value, out) != 0)
        return bad_value(a, name, "expected a non-negative number of seconds (e.g. 2 or 0.5)");
    return EXIT_OK;
}

/* ---- Help texts ---------------------------------------------------------------------------- */

static const char HELP_MAIN[] =
    "NAME\n"
    "    hftipc - create, inspect and use hftipc channel files\n"
    "\n"
    "SYNOPSIS\n"
    "    hftipc COMMAND [OPTIONS] [ARGS]\n"
    "    hftipc COMMAND --help\n"
    "    hftipc --help | --version\n"
    "\n"
    "DESCRIPTION\n"
    "    An hftipc channel is a lock-free ring of fixed-size slots in a memory-mapped file\n"
    "    (usually under /dev/shm) shared by a producer and a consumer process. This tool\n"
    "    creates channel files, shows their state, validates them, and moves messages in\n"
    "    and out of them from the shell.\n"
    "\n"
    "COMMANDS\n"
    "    create PATH     create a new channel file\n"
    "    inspect PATH    show the header, cursors and role holders of a channel (--json)\n"
    "    watch PATH...   live view of one or more channels with message rates\n"
    "    tail PATH       print new messages as they are published, without consuming them\n"
    "    send PATH       publish each line of standard input as a message (producer)\n"
    "    recv PATH       consume messages and print one per line (consumer)\n"
    "    check PATH...   validate channel files; tell whether this library can use them\n"
    "    bench [ARGS]    run the hftipc_bench benchmark\n"
    "\n"
    "OPTIONS\n"
    "    -h, --help      show this help, or a command's help after the command name\n"
    "    --version       print the library version and the channel format version\n"
    "\n"
    "EXIT STATUS\n"
    "    0   success\n"
    "    1   the operation failed, or a file is not a valid channel (reason on stderr)\n"
    "    2   usage error: unknown command or option, bad or missing argument\n"
    "    3   the file needs a newer library: its format major version or an incompatible\n"
    "        feature flag is unknown to this one (it cannot be read or written)\n"
    "    Errors are printed as 'hftipc: PATH: reason [HFTIPC_ESTATUS]'.\n"
    "\n"
    "EXAMPLES\n"
    "    hftipc create /dev/shm/quotes --capacity 4096 --slot-size 256\n"
    "    printf 'hello\\nworld\\n' | hftipc send /dev/shm/quotes\n"
    "    hftipc recv /dev/shm/quotes --count 2\n"
    "    hftipc inspect /dev/shm/quotes --json\n"
    "    hftipc watch /dev/shm/quotes /dev/shm/orders\n"
    "\n"
    "SEE ALSO\n"
    "    docs/CLI.md, docs/FORMAT.md\n";

static const char HELP_CREATE[] =
    "NAME\n"
    "    hftipc create - create a new channel file\n"
    "\n"
    "SYNOPSIS\n"
    "    hftipc create PATH [--capacity N] [--slot-size BYTES] [--mode spsc|mpsc]\n"
    "                  [--file-mode OCTAL] [--force]\n"
    "\n"
    "DESCRIPTION\n"
    "    Creates the channel file PATH, fully initialised and sized, and exits without\n"
    "    holding any role. The directory must exist. The file appears at PATH only once it\n"
    "    is complete, so a process opening it concurrently never sees half a header.\n"
    "    The file size is 4096 + capacity x slot size bytes, allocated up front.\n"
    "\n"
    "OPTIONS\n"
    "    --capacity N        number of slots: a power of two from 1 to 1073741824\n"
    "                        (default 1024)\n"
    "    --slot-size BYTES   bytes per slot including its 8-byte header: a multiple of 8\n"
    "                        from 16 to 67108864 (default 512, i.e. 504-byte messages)\n"
    "    --mode MODE         spsc (one producer, one consumer; the default) or mpsc (up to\n"
    "                        16 producer processes, one consumer)\n"
    "    --file-mode OCTAL   permission bits of the file, e.g. 0660 (default 0600; the\n"
    "                        umask is not applied); read and write bits only, within\n"
    "                        0666: execute, setuid, setgid and sticky bits are refused\n"
    "    --force             replace PATH if it exists (it is unlinked first: processes\n"
    "                        that have the old file open keep using the old file)\n"
    "\n"
    "EXIT STATUS\n"
    "    0 created; 1 creation failed (e.g. PATH exists [HFTIPC_EEXIST], no directory,\n"
    "    no space); 2 usage error (bad geometry, unknown option).\n"
    "\n"
    "EXAMPLES\n"
    "    hftipc create /dev/shm/quotes\n"
    "    hftipc create /dev/shm/quotes --capacity 65536 --slot-size 128 --force\n";

static const char HELP_INSPECT[] =
    "NAME\n"
    "    hftipc inspect - show the state of a channel file\n"
    "\n"
    "SYNOPSIS\n"
    "    hftipc inspect PATH [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Reads and validates the channel file without taking a role or modifying it, and\n"
    "    prints the format version, flags, geometry, maximum payload, cursors (head =\n"
    "    messages published, tail = messages consumed), backlog, full count (sends refused\n"
    "    because the ring was full), creation time (UTC), creator pid and library version,\n"
    "    and for each role the holder's pid, liveness (none, alive, dead, unknown), epoch\n"
    "    and takeovers. For an invalid file it prints what could be decoded before the\n"
    "    failing check, then the reason, and exits non-zero.\n"
    "\n"
    "OPTIONS\n"
    "    --json    print one JSON object instead (keys are listed in docs/CLI.md and are\n"
    "              stable; 64-bit counters are plain JSON integers)\n"
    "\n"
    "EXIT STATUS\n"
    "    0 valid channel; 1 invalid or unreadable file; 2 usage error; 3 the file needs a\n"
    "    newer library.\n"
    "\n"
    "EXAMPLES\n"
    "    hftipc inspect /dev/shm/quotes\n"
    "    hftipc inspect /dev/shm/quotes --json | python3 -m json.tool\n";

static const char HELP_WATCH[] =
    "NAME\n"
    "    hftipc watch - live view of channels\n"
    "\n"
    "SYNOPSIS\n"
    "    hftipc watch PATH... [--interval SECONDS] [--count N]\n"
    "\n"
    "DESCRIPTION\n"
    "    Inspects each channel every interval (no role taken, files never modified) and\n"
    "    shows head, tail, backlog, publish and consume rates in messages per second (from\n"
    "    the change since the previous refresh; '-' on the first), the full count, and the\n"
    "    producer and consumer holders. On a terminal the screen is cleared before each\n"
    "    refresh; otherwise blocks are printed one after another, separated by a blank line.\n"
    "    An invalid file shows its reason in place of the numbers. Stop with Ctrl-C.\n"
    "\n"
    "OPTIONS\n"
    "    --interval SECONDS  time between refreshes, e.g. 0.5 (default 1; at least 0.01)\n"
    "    --count N           stop after N refreshes (default 0: until interrupted)\n"
    "\n"
    "EXIT STATUS\n"
    "    0 every file was valid at the last refresh; 1 some file was not; 2 usage error.\n"
    "\n"
    "EXAMPLES\n"
    "    hftipc watch /dev/shm/quotes /dev/shm/orders\n"
    "    hftipc watch /dev/shm/quotes --interval 0.2 --count 5 > log.txt\n";

static const char HELP_TAIL[] =
    "NAME\n"
    "    hftipc tail - print new messages without consuming them\n"
    "\n"
    "SYNOPSIS\n"
    "    hftipc tail PATH [--text | --hex] [--count N] [--timeout SECONDS]\n"
    "\n"
    "DESCRIPTION\n"
    "    Opens the channel as an observer (no role taken; any number of observers may run\n"
    "    beside the producer and the consumer) and prints each message published after it\n"
    "    started, one per line. The consumer still receives every message. When the\n"
    "    producer overtakes the observer (the consumer freed slots the observer had not\n"
    "    read yet), a note goes to stderr and tail continues with the oldest message still\n"
    "    in the ring. While the channel is empty it polls, sleeping 1 ms growing to 50 ms.\n"
    "\n"
    "OPTIONS\n"
    "    --text              (default) printable ASCII as is; backslash, newline, tab, CR\n"
    "                        as \\\\ \\n \\t \\r; other bytes as \\xHH\n"
    "    --hex               each message as lowercase hex digits (empty line for an empty\n"
    "                        message)\n"
    "    --count N           exit after N messages (default 0: no limit)\n"
    "    --timeout SECONDS   exit after SECONDS without a new message (default: never)\n"
    "\n"
    "EXIT STATUS\n"
    "    0 after --count messages, after the timeout, or on Ctrl-C; 1 open or read failed,\n"
    "    or --count was given and the timeout came first; 2 usage error; 3 the file needs a\n"
    "    newer library.\n"
    "\n"
    "EXAMPLES\n"
    "    hftipc tail /dev/shm/quotes\n"
    "    hftipc tail /dev/shm/quotes --hex --count 10 --timeout 5\n";

static const char HELP_SEND[] =
    "NAME\n"
    "    hftipc send - publish lines of standard input as messages\n"
    "\n"
    "SYNOPSIS\n"
    "    hftipc send PATH [--create [--capacity N] [--slot-size BYTES]] [--timeout SECONDS]\n"
    "\n"
    "DESCRIPTION\n"
    "    Takes the producer role and publishes each line of standard input as one message:\n"
    "    the bytes of the line without its newline (a last line without newline counts;\n"
    "    an empty line is a 0-byte message; other bytes, including NUL and CR, are sent as\n"
    "    they are). When the ring is full it retries, sleeping 1 ms growing to 50 ms, for up\n"
    "    to --timeout seconds per message, then fails.\n"
    "    A line longer than the maximum payload (slot size - 8) is an error: nothing is\n"
    "    written for it, send stops immediately and names the line number and the limit;\n"
    "    the lines before it have been published.\n"
    "\n"
    "OPTIONS\n"
    "    --create            create the channel if PATH does not exist, with --capacity\n"
    "                        and --slot-size (see hftipc create --help) or the defaults\n"
    "    --capacity N        with --create: number of slots (default 1024)\n"
    "    --slot-size BYTES   with --create: bytes per slot (default 512)\n"
    "    --timeout SECONDS   how long to wait for a free slot for each message\n"
    "                        (default 5; 0 fails at once when full)\n"
    "\n"
    "EXIT STATUS\n"
    "    0 every line was published; 1 open failed, the ring stayed full past the timeout\n"
    "    [HFTIPC_EFULL], a line was too long [HFTIPC_ETOOBIG], or reading stdin failed;\n"
    "    2 usage error; 3 the file needs a newer library.\n"
    "\n"
    "EXAMPLES\n"
    "    echo hello | hftipc send /dev/shm/quotes --create\n"
    "    hftipc send /dev/shm/quotes --timeout 30 < orders.txt\n";

static const char HELP_RECV[] =
    "NAME\n"
    "    hftipc recv - consume messages and print them\n"
    "\n"
    "SYNOPSIS\n"
    "    hftipc recv PATH [--count N] [--timeout SECONDS] [--hex]\n"
    "\n"
    "DESCRIPTION\n"
    "    Takes the consumer role and writes each message to standard output followed by a\n"
    "    newline. The message bytes are written as they are: a message that contains a\n"
    "    newline therefore spans several output lines (use --hex for an unambiguous form).\n"
    "    Lines sent with 'hftipc send' come back identical.\n"
    "    A message is acknowledged (removed from the channel) only after it was written and\n"
    "    flushed to standard output: if the output fails (e.g. a closed pipe), the message\n"
    "    stays in the channel for the next consumer.\n"
    "    While the channel is empty it polls, sleeping 1 ms growing to 50 ms.\n"
    "\n"
    "OPTIONS\n"
    "    --count N           exit after N messages (default 0: until the timeout)\n"
    "    --timeout SECONDS   exit after SECONDS with nothing to read (default: never)\n"
    "    --hex               print each message as lowercase hex digits\n"
    "\n"
    "EXIT STATUS\n"
    "    0 after --count messages, or after the timeout when no --count was given, or on\n"
    "    Ctrl-C; 1 open failed, a corrupt slot, an output error, or the timeout came before\n"
    "    --count messages; 2 usage error; 3 the file needs a newer library.\n"
    "\n"
    "EXAMPLES\n"
    "    hftipc recv /dev/shm/quotes --count 1\n"
    "    hftipc recv /dev/shm/quotes --timeout 2 > drained.txt\n";

static const char HELP_CHECK[] =
    "NAME\n"
    "    hftipc check - validate channel files\n"
    "\n"
    "SYNOPSIS\n"
    "    hftipc check PATH...\n"
    "\n"
    "DESCRIPTION\n"
    "    Validates each file as an opener would (docs/FORMAT.md, section 3) without taking a\n"
    "    role or modifying it. For a good file prints to standard output:\n"
    "        PATH: ok (format X.Y, capacity N, slot size S; this library can read and write it)\n"
    "    For a bad file prints to standard error:\n"
    "        PATH: REASON [HFTIPC_ESTATUS]\n"
    "    A file of another format major version, or with an incompatible feature flag this\n"
    "    library does not know, is reported as one this library cannot read or write, with\n"
    "    the file's version and this library's.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 every file is valid; 1 some file is invalid or unreadable; 2 usage error;\n"
    "    3 every bad file is only too new for this library.\n"
    "\n"
    "EXAMPLES\n"
    "    hftipc check /dev/shm/*.chan\n";

static const char HELP_BENCH[] =
    "NAME\n"
    "    hftipc bench - run the hftipc benchmark\n"
    "\n"
    "SYNOPSIS\n"
    "    hftipc bench [--] [ARGS...]\n"
    "\n"
    "DESCRIPTION\n"
    "    Runs the hftipc_bench program with ARGS passed through unchanged. It is looked for\n"
    "    next to the hftipc executable, then at ../bench/hftipc_bench relative to it (the\n"
    "    build tree), then in PATH. Use 'hftipc bench -- --help' for the benchmark's own\n"
    "    options (a leading '--' is removed before passing the rest).\n"
    "\n"
    "EXIT STATUS\n"
    "    The benchmark's exit status; 1 if hftipc_bench cannot be found or run.\n"
    "\n"
    "EXAMPLES\n"
    "    hftipc bench --quick\n"
    "    hftipc bench -- --help\n";

static int help(const char *text)
{
    fputs(text, stdout);
    return EXIT_OK;
}

/* ---- create -------------------------------------------------------------------------------- */

typedef struct geometry_opts {
    int has_capacity, has_slot_size;
    hftipc_options_t o;
} geometry_opts_t;

/* Parse --capacity / --slot-size if argv[i] is one: 1 matched, 0 not, 2 usage error. */
static int geometry_opt(args_t *a, geometry_opts_t *g)
{
    uint64_t v;
    int m = opt(a, "--capacity", 1);
    if (m < 0)
        return EXIT_USAGE;
    if (m > 0) {
        if (parse_u64(a->value, &v) != 0 || v == 0 || v > HFTIPC_MAX_CAPACITY || (v & (v - 1)))
            return bad_value(a, "--capacity", "expected a power of two from 1 to 1073741824");
        g->o.capacity = (uint32_t)v;
        g->has_capacity = 1;
        return 1;
    }
    m = opt(a, "--slot-size", 1);
    if (m < 0)
        return EXIT_USAGE;
    if (m > 0) {
        if (parse_u64(a->value, &v) != 0 || v < HFTIPC_MIN_SLOT_SIZE || v > HFTIPC_MAX_SLOT_SIZE ||
            v % 8 != 0)
            return bad_value(a, "--slot-size",
                             "expected a multiple of 8 from 16 to 67108864 (bytes, including "
                             "the 8-byte slot header)");
        g->o.slot_size = (uint32_t)v;
        g->has_slot_size = 1;
        return 1;
    }
    return 0;
}

static int geometry_check(const char *cmd, const hftipc_options_t *o)
{
    /* FORMAT.md 2.1: the file is at most 2^40 bytes. */
    if (4096u + (uint64_t)o->capacity * o->slot_size > ((uint64_t)1 << 40))
        return usage_error(cmd, "capacity %u x slot size %u exceeds the 1 TiB file size limit",
                           o->capacity, o->slot_size);
    return EXIT_OK;
}

static int cmd_create(int argc, char **argv)
{
    args_t a = {.cmd = "create", .argc = argc, .argv = argv};
    geometry_opts_t g = {0};
    hftipc_options_init(&g.o);
    const char *path = NULL;
    int force = 0, m;
    for (a.i = 0; a.i < argc; a.i++) {
        int kind = is_option(&a);
        if (kind < 0)
            continue;
        if (kind == 0) {
            if (path != NULL)
                return usage_error(a.cmd, "unexpected argument '%s'", argv[a.i]);
            path = argv[a.i];
            continue;
        }
        if (is_help(argv[a.i]))
            return help(HELP_CREATE);
        if ((m = geometry_opt(&a, &g)) != 0) {
            if (m != 1)
                return m;
        } else if ((m = opt(&a, "--mode", 1)) != 0) {
            if (m < 0)
                return EXIT_USAGE;
            if (strcmp(a.value, "spsc") == 0)
                g.o.mode = HFTIPC_MODE_SPSC;
            else if (strcmp(a.value, "mpsc") == 0)
                g.o.mode = HFTIPC_MODE_MPSC;
            else
                return bad_value(&a, "--mode", "expected spsc or mpsc");
        } else if ((m = opt(&a, "--file-mode", 1)) != 0) {
            if (m < 0)
                return EXIT_USAGE;
            const char *s = a.value;
            size_t n = strlen(s);
            if (n == 0 || n > 5 || strspn(s, "01234567") != n)
                return bad_value(&a, "--file-mode", "expected octal permission bits, e.g. 0640");
            unsigned long fm = strtoul(s, NULL, 8);
            if (fm & ~0666ul) /* peers write the file through a mapping: never a program */
                return bad_value(&a, "--file-mode",
                                 "only read and write bits (within 0666) are allowed: an "
                                 "execute, setuid, setgid or sticky bit is refused");
            g.o.file_mode = (uint32_t)fm;
        } else if ((m = opt(&a, "--force", 0)) != 0) {
            if (m < 0)
                return EXIT_USAGE;
            force = 1;
        } else {
            return usage_error(a.cmd, "unknown option '%s'", argv[a.i]);
        }
    }
    if (path == NULL)
        return usage_error(a.cmd, "missing PATH");
    int rc = geometry_check(a.cmd, &g.o);
    if (rc != EXIT_OK)
        return rc;
    if (force && unlink(path) != 0 && errno != ENOENT) {
        errmsg("%s: cannot remove the existing file: %s", path, strerror(errno));
        return EXIT_FAIL;
    }
    hftipc_channel_t *ch = NULL;
    /* Created as an observer: the file is made and mapped, but no role is recorded in it. */
    rc = hftipc_channel_create(path, &g.o, HFTIPC_ROLE_OBSERVER, &ch);
    int e = errno;
    if (rc != HFTIPC_OK) {
        report(path, rc, NULL, e);
        if (rc == HFTIPC_EEXIST)
            fprintf(stderr, "hftipc: use --force to replace it\n");
        return exit_for(rc);
    }
    hftipc_channel_close(ch);
    return EXIT_OK;
}

/* ---- inspect ------------------------------------------------------------------------------- */

static const char *liveness_name(uint32_t l)
{
    switch (l) {
    case HFTIPC_PEER_NONE:
        return "none";
    case HFTIPC_PEER_ALIVE:
        return "alive";
    case HFTIPC_PEER_DEAD:
        return "dead";
    default:
        return "unknown";
    }
}

static const char *mode_name(uint32_t m)
{
    return m == HFTIPC_MODE_SPSC ? "spsc" : m == HFTIPC_MODE_MPSC ? "mpsc" : "unknown";
}

/* hftipc_inspect plus the errno of an HFTIPC_ESYSTEM failure. */
static int inspect_path(const char *path, hftipc_info_t *info, int *sys_errno)
{
    memset(info, 0, sizeof *info);
    info->size = sizeof *info;
    errno = 0;
    int rc = hftipc_inspect(path, info);
    *sys_errno = errno;
    return rc;
}

/* Whether decoded fields are worth showing: the magic matched and the header was read. */
static int has_fields(int rc)
{
    switch (rc) {
    case HFTIPC_OK:
    case HFTIPC_EVERSION:
    case HFTIPC_EINCOMPAT:
    case HFTIPC_ENOTREADY:
    case HFTIPC_EHEADERSIZE:
    case HFTIPC_EMODE:
    case HFTIPC_ECAPACITY:
    case HFTIPC_ESLOTSIZE:
    case HFTIPC_ETOOLARGE:
    case HFTIPC_ESIZE:
    case HFTIPC_ECORRUPT:
    case HFTIPC_ESPARSE:
        return 1;
    default:
        return 0;
    }
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void json_role(FILE *f, const char *name, uint32_t pid, uint32_t live, uint64_t epoch,
                      uint64_t takeovers)
{
    fprintf(f, ",\"%s\":{\"pid\":%u,\"liveness\":\"%s\",\"epoch\":%llu,\"takeovers\":%llu}", name,
            pid, liveness_name(live), (unsigned long long)epoch, (unsigned long long)takeovers);
}

static void inspect_json(const char *path, int rc, const hftipc_info_t *in, const char *reason)
{
    FILE *f = stdout;
    int fields = has_fields(rc);
    char created[64], cver[32];
    iso8601(in->created_ns, created, sizeof created);
    version_string(in->creator_version, cver, sizeof cver);
    fputs("{\"path\":", f);
    json_string(f, path);
    fprintf(f, ",\"valid\":%s,\"status\":\"%s\",\"error\":", rc == HFTIPC_OK ? "true" : "false",
            hftipc_err_name(rc));
    if (rc == HFTIPC_OK)
        fputs("null", f);
    else
        json_string(f, reason);
    fprintf(f, ",\"readable\":%s,\"writable\":%s", rc == HFTIPC_OK ? "true" : "false",
            rc == HFTIPC_OK ? "true" : "false");
    fprintf(f, ",\"library_version\":\"%s\",\"library_format\":\"%d.%d\"", hftipc_version_string(),
            HFTIPC_FORMAT_MAJOR, HFTIPC_FORMAT_MINOR);
    if (!fields) {
        fputs("}\n", f);
        return;
    }
    fprintf(f,
            ",\"format\":\"%u.%u\",\"format_major\":%u,\"format_minor\":%u"
            ",\"compat_flags\":%llu,\"incompat_flags\":%llu,\"mode\":\"%s\""
            ",\"capacity\":%u,\"slot_size\":%u,\"max_payload\":%u,\"file_size\":%llu"
            ",\"head\":%llu,\"tail\":%llu,\"backlog\":%llu,\"full_count\":%llu"
            ",\"created_ns\":%llu,\"created\":",
            in->format_major, in->format_minor, in->format_major, in->format_minor,
            (unsigned long long)in->compat_flags, (unsigned long long)in->incompat_flags,
            mode_name(in->mode), in->capacity, in->slot_size, in->max_payload,
            (unsigned long long)in->file_size, (unsigned long long)in->head,
            (unsigned long long)in->tail, (unsigned long long)in->backlog,
            (unsigned long long)in->full_count, (unsigned long long)in->created_ns);
    if (in->created_ns == 0)
        fputs("null", f);
    else
        json_string(f, created);
    fprintf(f, ",\"creator_pid\":%u,\"creator_version\":\"%s\"", in->creator_pid, cver);
    json_role(f, "producer", in->producer_pid, in->producer_liveness, in->producer_epoch,
              in->producer_takeovers);
    json_role(f, "consumer", in->consumer_pid, in->consumer_liveness, in->consumer_epoch,
              in->consumer_takeovers);
    fprintf(f,
            ",\"producer_count\":%u,\"abandoned_count\":%llu,\"producers_waiting\":%u"
            ",\"consumer_waiting\":%u",
            in->producer_count, (unsigned long long)in->abandoned_count, in->producer_waiting,
            in->consumer_waiting);
    fputs("}\n", f);
}

static void print_role(const char *name, uint32_t pid, uint32_t live, uint64_t epoch,
                       uint64_t takeovers)
{
    if (live == HFTIPC_PEER_NONE)
        printf("%-15s none (epoch %llu, takeovers %llu)\n", name, (unsigned long long)epoch,
               (unsigned long long)takeovers);
    else
        printf("%-15s pid %u, %s (epoch %llu, takeovers %llu)\n", name, pid, liveness_name(live),
               (unsigned long long)epoch, (unsigned long long)takeovers);
}

static void inspect_text(const char *path, int rc, const hftipc_info_t *in)
{
    char created[64], cver[32];
    iso8601(in->created_ns, created, sizeof created);
    version_string(in->creator_version, cver, sizeof cver);
    printf("%-15s %s\n", "path:", path);
    printf("%-15s %s\n", "status:",
           rc == HFTIPC_OK ? "ok"
                           : "INVALID (fields below are as decoded before the failing check)");
    printf("%-15s %u.%u (this library, hftipc %s, reads and writes %d.x)\n",
           "format:", in->format_major, in->format_minor, hftipc_version_string(),
           HFTIPC_FORMAT_MAJOR);
    printf("%-15s compat 0x%llx, incompat 0x%llx\n", "flags:", (unsigned long long)in->compat_flags,
           (unsigned long long)in->incompat_flags);
    printf("%-15s %s\n", "mode:", mode_name(in->mode));
    printf("%-15s capacity %u slots, slot size %u bytes, file size %llu bytes\n",
           "geometry:", in->capacity, in->slot_size, (unsigned long long)in->file_size);
    printf("%-15s %u bytes\n", "max payload:", in->max_payload);
    printf("%-15s %llu (messages published)\n", "head:", (unsigned long long)in->head);
    printf("%-15s %llu (messages consumed)\n", "tail:", (unsigned long long)in->tail);
    printf("%-15s %llu\n", "backlog:", (unsigned long long)in->backlog);
    printf("%-15s %llu (sends refused because the ring was full)\n",
           "full count:", (unsigned long long)in->full_count);
    printf("%-15s %s\n", "created:", created);
    printf("%-15s pid %u, hftipc %s\n", "creator:", in->creator_pid, cver);
    print_role("producer:", in->producer_pid, in->producer_liveness, in->producer_epoch,
               in->producer_takeovers);
    print_role("consumer:", in->consumer_pid, in->consumer_liveness, in->consumer_epoch,
               in->consumer_takeovers);
    if (in->mode == HFTIPC_MODE_MPSC)
        printf("%-15s %u producers hold the role; %llu claimed slots abandoned by dead "
               "producers\n",
               "mpsc:", in->producer_count, (unsigned long long)in->abandoned_count);
    printf("%-15s %u producer(s), consumer %s\n", "sleeping:", in->producer_waiting,
           in->consumer_waiting ? "yes" : "no");
}

static int cmd_inspect(int argc, char **argv)
{
    args_t a = {.cmd = "inspect", .argc = argc, .argv = argv};
    const char *path = NULL;
    int json = 0, m;
    for (a.i = 0; a.i < argc; a.i++) {
        int kind = is_option(&a);
        if (kind < 0)
            continue;
        if (kind == 0) {
            if (path != NULL)
                return usage_error(a.cmd, "unexpected argument '%s'", argv[a.i]);
            path = argv[a.i];
            continue;
        }
        if (is_help(argv[a.i]))
            return help(HELP_INSPECT);
        if ((m = opt(&a, "--json", 0)) != 0) {
            if (m < 0)
                return EXIT_USAGE;
            json = 1;
        } else {
            return usage_error(a.cmd, "unknown option '%s'", argv[a.i]);
        }
    }
    if (path == NULL)
        return usage_error(a.cmd, "missing PATH");
    hftipc_info_t info;
    int e;
    int rc = inspect_path(path, &info, &e);
    char reason[512];
    describe(rc, &info, e, reason, sizeof reason);
    if (json)
        inspect_json(path, rc, &info, reason);
    else if (has_fields(rc))
        inspect_text(path, rc, &info);
    if (rc != HFTIPC_OK)
        report(path, rc, &info, e);
    return exit_for(rc);
}

/* ---- check --------------------------------------------------------------------------------- */

static int cmd_check(int argc, char **argv)
{
    args_t a = {.cmd = "check", .argc = argc, .argv = argv};
    int npaths = 0;
    for (a.i = 0; a.i < argc; a.i++) {
        int kind = is_option(&a);
        if (kind < 0)
            continue;
        if (kind == 0) {
            npaths++;
            continue;
        }
        if (is_help(argv[a.i]))
            return help(HELP_CHECK);
        return usage_error(a.cmd, "unknown option '%s'", argv[a.i]);
    }
    if (npaths == 0)
        return usage_error(a.cmd, "missing PATH");
    int any_fail = 0, any_version = 0;
    a.only_positional = 0;
    for (a.i = 0; a.i < argc; a.i++) {
        if (is_option(&a) != 0)
            continue;
        const char *path = argv[a.i];
        hftipc_info_t info;
        int e;
        int rc = inspect_path(path, &info, &e);
        if (rc == HFTIPC_OK) {
            printf("%s: ok (format %u.%u, capacity %u, slot size %u; this library can read and "
                   "write it)\n",
                   path, info.format_major, info.format_minor, info.capacity, info.slot_size);
            continue;
        }
        char reason[512];
        describe(rc, &info, e, reason, sizeof reason);
        fflush(stdout);
        fprintf(stderr, "%s: %s [%s]\n", path, reason, hftipc_err_name(rc));
        if (exit_for(rc) == EXIT_VERSION)
            any_version = 1;
        else
            any_fail = 1;
    }
    return any_fail ? EXIT_FAIL : any_version ? EXIT_VERSION : EXIT_OK;
}

/* ---- watch --------------------------------------------------------------------------------- */

typedef struct watch_state {
    int have;
    uint64_t head, tail;
    double t;
} watch_state_t;

static void fmt_rate(char *buf, size_t len, const watch_state_t *prev, uint64_t now_v,
                     uint64_t prev_v, double dt)
{
    if (!prev->have || dt <= 0 || now_v < prev_v)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.0f", (double)(now_v - prev_v) / dt);
}

static void fmt_peer(char *buf, size_t len, uint32_t pid, uint32_t live)
{
    if (live == HFTIPC_PEER_NONE)
        snprintf(buf, len, "none");
    else
        snprintf(buf, len, "%u/%s", pid, liveness_name(live));
}

static int cmd_watch(int argc, char **argv)
{
    args_t a = {.cmd = "watch", .argc = argc, .argv = argv};
    double interval = 1.0;
    uint64_t count = 0;
    int npaths = 0, m, rc;
    for (a.i = 0; a.i < argc; a.i++) {
        int kind = is_option(&a);
        if (kind < 0)
            continue;
        if (kind == 0) {
            npaths++;
            continue;
        }
        if (is_help(argv[a.i]))
            return help(HELP_WATCH);
        if ((m = opt(&a, "--interval", 1)) != 0) {
            if (m < 0)
                return EXIT_USAGE;
            if ((rc = get_seconds(&a, "--interval", &interval)) != EXIT_OK)
                return rc;
            if (interval < 0.01)
                return bad_value(&a, "--interval", "must be at least 0.01 seconds");
        } else if ((m = opt(&a, "--count", 1)) != 0) {
            if (m < 0)
                return EXIT_USAGE;
            if ((rc = get_count(&a, &count)) != EXIT_OK)
                return rc;
        } else {
            return usage_error(a.cmd, "unknown option '%s'", argv[a.i]);
        }
    }
    if (npaths == 0)
        return usage_error(a.cmd, "missing PATH");
    const char **paths = calloc((size_t)npaths, sizeof *paths);
    watch_state_t *st = calloc((size_t)npaths, sizeof *st);
    if (paths == NULL || st == NULL) {
        free(paths);
        free(st);
        errmsg("out of memory");
        return EXIT_FAIL;
    }
    int n = 0;
    a.only_positional = 0;
    for (a.i = 0; a.i < argc; a.i++) {
        int kind = is_option(&a);
        if (kind == 0)
            paths[n++] = argv[a.i];
        else if (kind > 0 &&
                 (strcmp(argv[a.i], "--interval") == 0 || strcmp(argv[a.i], "--count") == 0))
            a.i++; /* skip the option's value */
    }
    int tty = isatty(STDOUT_FILENO);
    int last_bad = 0;
    for (uint64_t round = 0; !g_stop && (count == 0 || round < count); round++) {
        if (round > 0)
            sleep_seconds(interval);
        if (g_stop)
            break;
        char when[64];
        struct timespec rt;
        clock_gettime(CLOCK_REALTIME, &rt);
        iso8601((uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec, when, sizeof when);
        if (tty)
            fputs("\033[H\033[2J", stdout);
        else if (round > 0)
            fputc('\n', stdout);
        printf("hftipc watch  %s  every %gs  (refresh %llu)\n", when, interval,
               (unsigned long long)round + 1);
        printf("%-24s %12s %12s %10s %10s %10s %8s %16s %16s\n", "CHANNEL", "HEAD", "TAIL",
               "BACKLOG", "PUB/s", "CONS/s", "FULL", "PRODUCER", "CONSUMER");
        last_bad = 0;
        for (int k = 0; k < npaths; k++) {
            hftipc_info_t in;
            int e;
            double t = now_mono();
            rc = inspect_path(paths[k], &in, &e);
            if (rc != HFTIPC_OK) {
                char reason[512];
                describe(rc, &in, e, reason, sizeof reason);
                printf("%-24s %s [%s]\n", paths[k], reason, hftipc_err_name(rc));
                st[k].have = 0;
                last_bad = 1;
                continue;
            }
            char pub[32], cons[32], prod[40], consu[40];
            double dt = t - st[k].t;
            fmt_rate(pub, sizeof pub, &st[k], in.head, st[k].head, dt);
            fmt_rate(cons, sizeof cons, &st[k], in.tail, st[k].tail, dt);
            fmt_peer(prod, sizeof prod, in.producer_pid, in.producer_liveness);
            fmt_peer(consu, sizeof consu, in.consumer_pid, in.consumer_liveness);
            printf("%-24s %12llu %12llu %10llu %10s %10s %8llu %16s %16s\n", paths[k],
                   (unsigned long long)in.head, (unsigned long long)in.tail,
                   (unsigned long long)in.backlog, pub, cons, (unsigned long long)in.full_count,
                   prod, consu);
            st[k].have = 1;
            st[k].head = in.head;
            st[k].tail = in.tail;
            st[k].t = t;
        }
        fflush(stdout);
    }
    free(paths);
    free(st);
    return last_bad ? EXIT_FAIL : EXIT_OK;
}

/* ---- Opening for a role -------------------------------------------------------------------- */

static int open_role(const char *path, hftipc_role_t role, hftipc_channel_t **ch)
{
    errno = 0;
    int rc = hftipc_channel_open(path, role, ch);
    if (rc == HFTIPC_OK)
        return EXIT_OK;
    int e = errno;
    hftipc_info_t info;
    int e2;
    /* Re-read the header so that a version error can name the file's version. */
    if (rc == HFTIPC_EVERSION || rc == HFTIPC_EINCOMPAT)
        inspect_path(path, &info, &e2);
    report(path, rc, (rc == HFTIPC_EVERSION || rc == HFTIPC_EINCOMPAT) ? &info : NULL, e);
    if (rc == HFTIPC_EBUSY)
        fprintf(stderr, "hftipc: see 'hftipc inspect %s' for the holder's pid\n", path);
    return exit_for(rc);
}

/* ---- Printing messages --------------------------------------------------------------------- */

enum print_mode { PRINT_RAW, PRINT_TEXT, PRINT_HEX };

static void print_message(FILE *f, const unsigned char *p, size_t len, enum print_mode mode)
{
    static const char digits[] = "0123456789abcdef";
    if (mode == PRINT_RAW) {
        fwrite(p, 1, len, f);
    } else if (mode == PRINT_HEX) {
        for (size_t k = 0; k < len; k++) {
            fputc(digits[p[k] >> 4], f);
            fputc(digits[p[k] & 15], f);
        }
    } else {
        for (size_t k = 0; k < len; k++) {
            unsigned char c = p[k];
            if (c == '\\')
                fputs("\\\\", f);
            else if (c == '\n')
                fputs("\\n", f);
            else if (c == '\t')
                fputs("\\t", f);
            else if (c == '\r')
                fputs("\\r", f);
            else if (c < 0x20 || c >= 0x7f)
                fprintf(f, "\\x%c%c", digits[c >> 4], digits[c & 15]);
            else
                fputc(c, f);
        }
    }
    fputc('\n', f);
}

static int output_failed(void)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    errmsg("standard output: write failed: %s", strerror(errno));
    return 1;
}

/* ---- tail ---------------------------------------------------------------------------------- */

typedef struct reader_opts {
    uint64_t count;
    double timeout; /* < 0: never */
    enum print_mode mode;
    const char *path;
} reader_opts_t;

/* Shared parser of tail and recv; `tail` selects which options exist. */
static int parse_reader(int argc, char **argv, int tail, reader_opts_t *r)
{
    args_t a = {.cmd = tail ? "tail" : "recv", .argc = argc, .argv = argv};
    int m, rc;
    r->count = 0;
    r->timeout = -1;
    r->mode = tail ? PRINT_TEXT : PRINT_RAW;
    r->path = NULL;
    for (a.i = 0; a.i < argc; a.i++) {
        int kind = is_option(&a);
        if (kind < 0)
            continue;
        if (kind == 0) {
            if (r->path != NULL)
                return usage_error(a.cmd, "unexpected argument '%s'", argv[a.i]);
            r->path = argv[a.i];
            continue;
        }
        if (is_help(argv[a.i])) {
            help(tail ? HELP_TAIL : HELP_RECV);
            return -1;
        }
        if ((m = opt(&a, "--count", 1)) != 0) {
            if (m < 0 || (rc = get_count(&a, &r->count)) != EXIT_OK)
                return EXIT_USAGE;
        } else if ((m = opt(&a, "--timeout", 1)) != 0) {
            if (m < 0 || (rc = get_seconds(&a, "--timeout", &r->timeout)) != EXIT_OK)
                return EXIT_USAGE;
        } else if ((m = opt(&a, "--hex", 0)) != 0) {
            if (m < 0)
                return EXIT_USAGE;
            r->mode = PRINT_HEX;
        } else if (tail && (m = opt(&a, "--text", 0)) != 0) {
            if (m < 0)
                return EXIT_USAGE;
            r->mode = PRINT_TEXT;
        } else {
            return usage_error(a.cmd, "unknown option '%s'", argv[a.i]);
        }
    }
    if (r->path == NULL)
        return usage_error(a.cmd, "missing PATH");
    return EXIT_OK;
}

static int timed_out(const reader_opts_t *r, double idle_since, const char *cmd, uint64_t got)
{
    if (r->timeout < 0 || now_mono() - idle_since < r->timeout)
        return -1;
    if (r->count > 0) {
        errmsg("%s: %s: timed out after %g s without a message (%llu of %llu received)", r->path,
               cmd, r->timeout, (unsigned long long)got, (unsigned long long)r->count);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static int cmd_tail(int argc, char **argv)
{
    reader_opts_t r;
    int rc = parse_reader(argc, argv, 1, &r);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    hftipc_channel_t *ch = NULL;
    if ((rc = open_role(r.path, HFTIPC_ROLE_OBSERVER, &ch)) != EXIT_OK)
        return rc;
    size_t cap = hftipc_channel_max_payload(ch);
    unsigned char *buf = malloc(cap > 0 ? cap : 1);
    if (buf == NULL) {
        hftipc_channel_close(ch);
        errmsg("out of memory");
        return EXIT_FAIL;
    }
    uint64_t got = 0;
    double idle_since = now_mono(), nap = 0.001;
    int result = EXIT_OK;
    while (!g_stop && (r.count == 0 || got < r.count)) {
        int64_t n = hftipc_channel_receive(ch, buf, cap);
        if (n >= 0) {
            print_message(stdout, buf, (size_t)n, r.mode);
            if (output_failed()) {
                result = EXIT_FAIL;
                break;
            }
            got++;
            idle_since = now_mono();
            nap = 0.001;
        } else if (n == HFTIPC_ELAPPED) {
            fprintf(stderr,
                    "hftipc: %s: tail was overtaken by the producer; messages were skipped, "
                    "continuing with the oldest unconsumed one [%s]\n",
                    r.path, hftipc_err_name((int)n));
        } else if (n == HFTIPC_EEMPTY) {
            if ((rc = timed_out(&r, idle_since, "tail", got)) >= 0) {
                result = rc;
                break;
            }
            sleep_seconds(nap);
            nap = backoff_next(nap);
        } else {
            report(r.path, (int)n, NULL, errno);
            result = EXIT_FAIL;
            break;
        }
    }
    free(buf);
    hftipc_channel_close(ch);
    return result;
}

/* ---- recv ---------------------------------------------------------------------------------- */

static int cmd_recv(int argc, char **argv)
{
    reader_opts_t r;
    int rc = parse_reader(argc, argv, 0, &r);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    hftipc_channel_t *ch = NULL;
    if ((rc = open_role(r.path, HFTIPC_ROLE_CONSUMER, &ch)) != EXIT_OK)
        return rc;
    uint64_t got = 0;
    double idle_since = now_mono(), nap = 0.001;
    int result = EXIT_OK;
    while (!g_stop && (r.count == 0 || got < r.count)) {
        const void *msg = NULL;
        /* Peek, write, flush, then ack: a message leaves the channel only once it is out. */
        int64_t n = hftipc_channel_peek(ch, &msg);
        if (n >= 0) {
            print_message(stdout, msg, (size_t)n, r.mode);
            if (output_failed()) {
                result = EXIT_FAIL;
                break;
            }
            if ((rc = hftipc_channel_ack(ch)) != HFTIPC_OK) {
                report(r.path, rc, NULL, errno);
                result = EXIT_FAIL;
                break;
            }
            got++;
            idle_since = now_mono();
            nap = 0.001;
        } else if (n == HFTIPC_EEMPTY) {
            if ((rc = timed_out(&r, idle_since, "recv", got)) >= 0) {
                result = rc;
                break;
            }
            sleep_seconds(nap);
            nap = backoff_next(nap);
        } else {
            report(r.path, (int)n, NULL, errno);
            if (n == HFTIPC_ECORRUPT)
                fprintf(stderr, "hftipc: %s: the corrupt message was left in the channel\n",
                        r.path);
            result = EXIT_FAIL;
            break;
        }
    }
    hftipc_channel_close(ch);
    return result;
}

/* ---- send ---------------------------------------------------------------------------------- */

static int cmd_send(int argc, char **argv)
{
    args_t a = {.cmd = "send", .argc = argc, .argv = argv};
    geometry_opts_t g = {0};
    hftipc_options_init(&g.o);
    const char *path = NULL;
    int create = 0, m, rc;
    double timeout = 5.0;
    for (a.i = 0; a.i < argc; a.i++) {
        int kind = is_option(&a);
        if (kind < 0)
            continue;
        if (kind == 0) {
            if (path != NULL)
                return usage_error(a.cmd, "unexpected argument '%s'", argv[a.i]);
            path = argv[a.i];
            continue;
        }
        if (is_help(argv[a.i]))
            return help(HELP_SEND);
        if ((m = opt(&a, "--create", 0)) != 0) {
            if (m < 0)
                return EXIT_USAGE;
            create = 1;
        } else if ((m = opt(&a, "--timeout", 1)) != 0) {
            if (m < 0)
                return EXIT_USAGE;
            if ((rc = get_seconds(&a, "--timeout", &timeout)) != EXIT_OK)
                return rc;
        } else if ((m = geometry_opt(&a, &g)) != 0) {
            if (m != 1)
                return m;
        } else {
            return usage_error(a.cmd, "unknown option '%s'", argv[a.i]);
        }
    }
    if (path == NULL)
        return usage_error(a.cmd, "missing PATH");
    if ((g.has_capacity || g.has_slot_size) && !create)
        return usage_error(a.cmd, "--capacity and --slot-size need --create");
    if ((rc = geometry_check(a.cmd, &g.o)) != EXIT_OK)
        return rc;

    hftipc_channel_t *ch = NULL;
    if (create) {
        /* Open first; create only if missing; if another process created it meanwhile, open
         * theirs. Unlike open_or_create, an existing file of any geometry is accepted. */
        for (int attempt = 0; attempt < 3; attempt++) {
            rc = hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, &ch);
            if (rc != HFTIPC_ENOENT)
                break;
            rc = hftipc_channel_create(path, &g.o, HFTIPC_ROLE_PRODUCER, &ch);
            if (rc != HFTIPC_EEXIST)
                break;
        }
        if (rc != HFTIPC_OK) {
            int e = errno;
            hftipc_info_t info;
            int e2;
            memset(&info, 0, sizeof info);
            if (rc == HFTIPC_EVERSION || rc == HFTIPC_EINCOMPAT)
                inspect_path(path, &info, &e2);
            report(path, rc, &info, e);
            return exit_for(rc);
        }
    } else if ((rc = open_role(path, HFTIPC_ROLE_PRODUCER, &ch)) != EXIT_OK) {
        return rc;
    }

    size_t max = hftipc_channel_max_payload(ch);
    char *line = NULL;
    size_t line_cap = 0;
    uint64_t lineno = 0;
    int result = EXIT_OK;
    while (!g_stop) {
        errno = 0;
        ssize_t len = getline(&line, &line_cap, stdin);
        if (len < 0) {
            if (ferror(stdin) && errno != EINTR) {
                errmsg("standard input: read failed: %s", strerror(errno));
                result = EXIT_FAIL;
            }
            break;
        }
        lineno++;
        if (len > 0 && line[len - 1] == '\n')
            len--;
        if ((size_t)len > max) {
            errmsg("%s: line %llu is %zd bytes, longer than the maximum payload of %zu bytes; "
                   "nothing sent for it, %llu line(s) before it were sent [%s]",
                   path, (unsigned long long)lineno, len, max, (unsigned long long)lineno - 1,
                   hftipc_err_name(HFTIPC_ETOOBIG));
            result = EXIT_FAIL;
            break;
        }
        double start = now_mono(), nap = 0.001;
        for (;;) {
            rc = hftipc_channel_send(ch, line, (size_t)len);
            if (rc != HFTIPC_EFULL)
                break;
            if (g_stop || now_mono() - start >= timeout)
                break;
            sleep_seconds(nap);
            nap = backoff_next(nap);
        }
        if (rc == HFTIPC_EFULL) {
            errmsg("%s: line %llu: the channel stayed full for %g s (is a consumer running?); "
                   "%llu line(s) before it were sent [%s]",
                   path, (unsigned long long)lineno, timeout, (unsigned long long)lineno - 1,
                   hftipc_err_name(rc));
            result = EXIT_FAIL;
            break;
        }
        if (rc != HFTIPC_OK) {
            report(path, rc, NULL, errno);
            result = EXIT_FAIL;
            break;
        }
    }
    free(line);
    hftipc_channel_close(ch);
    return result;
}

/* ---- bench --------------------------------------------------------------------------------- */

static int exec_if_exists(const char *path, char **args)
{
    if (access(path, X_OK) != 0)
        return -1;
    args[0] = (char *)path;
    execv(path, args);
    errmsg("%s: cannot run: %s", path, strerror(errno));
    return EXIT_FAIL;
}

static int cmd_bench(int argc, char **argv)
{
    int first = 0;
    if (argc > 0 && is_help(argv[0]))
        return help(HELP_BENCH);
    if (argc > 0 && strcmp(argv[0], "--") == 0)
        first = 1;
    char **args = calloc((size_t)(argc - first) + 2, sizeof *args);
    if (args == NULL) {
        errmsg("out of memory");
        return EXIT_FAIL;
    }
    for (int k = first; k < argc; k++)
        args[1 + k - first] = argv[k];

    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash != NULL) {
            *slash = '\0';
            char cand[PATH_MAX + 64];
            snprintf(cand, sizeof cand, "%s/hftipc_bench", self);
            int rc = exec_if_exists(cand, args);
            if (rc >= 0) {
                free(args);
                return rc;
            }
            snprintf(cand, sizeof cand, "%s/../bench/hftipc_bench", self);
            rc = exec_if_exists(cand, args);
            if (rc >= 0) {
                free(args);
                return rc;
            }
        }
    }
    args[0] = "hftipc_bench";
    execvp("hftipc_bench", args);
    errmsg("bench: hftipc_bench not found next to this program, in ../bench/ of the build "
           "tree, or in PATH (%s); build it with the project (HFTIPC_BUILD_BENCH=ON)",
           strerror(errno));
    free(args);
    return EXIT_FAIL;
}

/* ---- main ---------------------------------------------------------------------------------- */

static int print_version(void)
{
    printf("hftipc %s (library %s, built against %s)\n", hftipc_version_string(),
           hftipc_version_string(), HFTIPC_VERSION_STRING);
    printf("channel format %d.%d (reads and writes format %d.x files)\n", HFTIPC_FORMAT_MAJOR,
           HFTIPC_FORMAT_MINOR, HFTIPC_FORMAT_MAJOR);
    return EXIT_OK;
}

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command_t;

static const command_t COMMANDS[] = {
    {"create", cmd_create}, {"inspect", cmd_inspect}, {"watch", cmd_watch}, {"tail", cmd_tail},
    {"send", cmd_send},     {"recv", cmd_recv},       {"check", cmd_check}, {"bench", cmd_bench},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(HELP_MAIN, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (is_help(cmd) || strcmp(cmd, "help") == 0)
        return help(HELP_MAIN);
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0)
        return print_version();
    for (size_t k = 0; k < sizeof COMMANDS / sizeof COMMANDS[0]; k++) {
        if (strcmp(cmd, COMMANDS[k].name) == 0) {
            install_signals();
            int rc = COMMANDS[k].run(argc - 2, argv + 2);
            if (fflush(stdout) != 0 && rc == EXIT_OK) {
                errmsg("standard output: write failed: %s", strerror(errno));
                rc = EXIT_FAIL;
            }
            return rc;
        }
    }
    if (cmd[0] == '-')
        return usage_error(NULL, "unknown option '%s'", cmd);
    return usage_error(NULL, "unknown command '%s'", cmd);
}
