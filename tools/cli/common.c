/*
 * What several subcommands share: error messages, status descriptions, time, channel
 * helpers and message printing.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "geometry.h"

/* ---- Messages ------------------------------------------------------------------------------ */

void errmsg(const char *fmt, ...)
{
    va_list ap;
    fputs("hftipc: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int usage_error(const char *cmd, const char *fmt, ...)
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

int exit_for(int rc)
{
    if (rc == HFTIPC_OK)
        return EXIT_OK;
    if (rc == HFTIPC_EVERSION || rc == HFTIPC_EINCOMPAT)
        return EXIT_VERSION;
    return EXIT_FAIL;
}

void version_string(uint32_t v, char *buf, size_t len)
{
    snprintf(buf, len, "%u.%u.%u", v / 10000, (v / 100) % 100, v % 100);
}

/* CONVENTIONS 14: a format mismatch names both versions. */
void describe(int rc, const hftipc_info_t *info, int sys_errno, char *buf, size_t len)
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

void report(const char *path, int rc, const hftipc_info_t *info, int sys_errno)
{
    char reason[512];
    describe(rc, info, sys_errno, reason, sizeof reason);
    errmsg("%s: %s [%s]", path, reason, hftipc_err_name(rc));
}

/* ---- Time ---------------------------------------------------------------------------------- */

double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sleep_seconds(double s)
{
    if (s <= 0)
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_nsec = 999999999L;
    nanosleep(&ts, NULL); /* EINTR ends the sleep early; callers check cli_stop */
}

double backoff_next(double cur)
{
    double next = cur * 2;
    return next > 0.050 ? 0.050 : next;
}

void iso8601(uint64_t ns, char *buf, size_t len)
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

uint64_t now_real_ns(void)
{
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    return (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec;
}

/* ---- Channels ------------------------------------------------------------------------------ */

const char *liveness_name(uint32_t l)
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

const char *mode_name(uint32_t m)
{
    return m == HFTIPC_MODE_SPSC ? "spsc" : m == HFTIPC_MODE_MPSC ? "mpsc" : "unknown";
}

void format_peer(char *buf, size_t len, uint32_t pid, uint32_t live)
{
    if (live == HFTIPC_PEER_NONE)
        snprintf(buf, len, "none");
    else
        snprintf(buf, len, "%u/%s", pid, liveness_name(live));
}

int inspect_path(const char *path, hftipc_info_t *info, int *sys_errno)
{
    memset(info, 0, sizeof *info);
    info->size = sizeof *info;
    errno = 0;
    int rc = hftipc_inspect(path, info);
    *sys_errno = errno;
    return rc;
}

int has_fields(int rc)
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

int open_role(const char *path, hftipc_role_t role, hftipc_channel_t **ch)
{
    errno = 0;
    int rc = hftipc_channel_open(path, role, ch);
    if (rc == HFTIPC_OK)
        return EXIT_OK;
    int e = errno;
    hftipc_info_t info;
    int e2;
    /* Re-read the header so that a version error can name the file's version. */
    int versioned = rc == HFTIPC_EVERSION || rc == HFTIPC_EINCOMPAT;
    if (versioned)
        inspect_path(path, &info, &e2);
    report(path, rc, versioned ? &info : NULL, e);
    if (rc == HFTIPC_EBUSY)
        fprintf(stderr, "hftipc: see 'hftipc inspect %s' for the holder's pid\n", path);
    return exit_for(rc);
}

/* ---- Output -------------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, surrogates or values past
 * U+10FFFF), or 0 if it is not one. p is NUL-terminated, so reading stops at the end. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned char c = p[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if (p[k] < 0x80 || p[k] > 0xbf)
            return 0;
    return n;
}

/*
 * A JSON string. File names are bytes, not text: a byte that is not part of valid UTF-8 becomes
 * U+FFFD (as Go's encoding/json does), so the output is always valid JSON.
 */
void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p == '"' || *p == '\\') {
            fprintf(f, "\\%c", *p++);
        } else if (*p < 0x20) {
            fprintf(f, "\\u%04x", *p++);
        } else if (*p < 0x80) {
            fputc(*p++, f);
        } else {
            size_t n = utf8_len(p);
            if (n == 0) {
                fputs("\\ufffd", f);
                p++;
            } else {
                fwrite(p, 1, n, f);
                p += n;
            }
        }
    }
    fputc('"', f);
}

/* A name for a terminal: printable ASCII and UTF-8 as they are, a backslash doubled, any other
 * byte \xHH, so a hostile file name can neither break a row nor send control sequences. */
void text_escape(char *buf, size_t len, const char *s)
{
    static const char digits[] = "0123456789abcdef";
    size_t o = 0, n;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 5 <= len; p++) {
        if (*p == '\\') {
            buf[o++] = '\\';
            buf[o++] = '\\';
        } else if (*p >= 0x20 && *p < 0x7f) {
            buf[o++] = (char)*p;
        } else if ((n = utf8_len(p)) > 0 && !(p[0] == 0xc2 && p[1] < 0xa0)) {
            /* Valid UTF-8 but the C1 controls (U+0080-U+009F), which terminals obey. */
            memcpy(buf + o, p, n);
            o += n;
            p += n - 1;
        } else {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = digits[*p >> 4];
            buf[o++] = digits[*p & 15];
        }
    }
    if (len > 0)
        buf[o < len ? o : len - 1] = '\0';
}

void print_message(FILE *f, const unsigned char *p, size_t len, enum print_mode mode)
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

int output_failed(void)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    errmsg("standard output: write failed: %s", strerror(errno));
    return 1;
}

/* ---- Geometry ------------------------------------------------------------------------------ */

int geometry_slot_size(const char *cmd, uint64_t slot_size, uint64_t max_payload, uint32_t *out)
{
    if (max_payload != CLI_MAX_PAYLOAD_UNSET && slot_size != 0)
        return usage_error(cmd, "--slot-size and --max-payload both set the slot size: give one");
    if (max_payload != CLI_MAX_PAYLOAD_UNSET)
        *out = hftipc_slot_size_for((uint32_t)max_payload); /* range-checked by the table */
    else if (slot_size != 0)
        *out = (uint32_t)slot_size;
    return EXIT_OK;
}

int geometry_check(const char *cmd, const hftipc_options_t *o)
{
    if (4096u + (uint64_t)o->capacity * o->slot_size > ((uint64_t)1 << 40))
        return usage_error(cmd, "capacity %u x slot size %u exceeds the 1 TiB file size limit",
                           o->capacity, o->slot_size);
    return EXIT_OK;
}
