/*
 * The logger sample's sink: consumes batches of log lines from the application
 * (samples/logger/app) and appends them to a file, with at-least-once delivery.
 *
 * Each message is a batch of whole lines ("...\n...\n"), packed into one slot by the
 * application. The sink handles it with hftipc_channel_peek() (in place, nothing consumed),
 * one write(2) of the whole batch, then hftipc_channel_ack(). The ack, which stores the new
 * position in the channel file, comes only after the write returned, when the bytes are in the
 * kernel's page cache and survive the death of this process. So a sink killed at any point
 * loses nothing: its successor peeks the same batch again. The cost is that the successor may
 * write that one batch a second time (it was written, not acknowledged).
 *
 * A kill can also land inside the write(2), which the kernel may then leave partly done. At
 * start the sink therefore cuts the file back to its last newline: the torn lines belong to
 * the unacknowledged batch, which is written again in full.
 *
 * Only process death is covered by default; --fsync adds fdatasync() before each ack for
 * machine crashes (much slower).
 *
 * An empty message is the application's end of the log: the sink acknowledges it and stops.
 *
 *   log_sink --channel /dev/shm/x/log --out app.log [--fsync]
 */
#define _POSIX_C_SOURCE 200809L

#include "sample_util.h"

#include <hftipc.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void die_errno(const char *what, const char *path)
{
    fprintf(stderr, "sink: %s %s: %s\n", what, path, strerror(errno));
    exit(1);
}

/* Cut a torn last line (no newline at the end) from the file; returns the bytes removed. */
static off_t repair_tail(int fd, const char *path)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        die_errno("stat", path);
    off_t end = st.st_size, keep = end;
    char buf[4096];
    while (keep > 0) {
        off_t from = keep > (off_t)sizeof buf ? keep - (off_t)sizeof buf : 0;
        ssize_t n = pread(fd, buf, (size_t)(keep - from), from);
        if (n != keep - from)
            die_errno("read", path);
        ssize_t i = n - 1;
        while (i >= 0 && buf[i] != '\n')
            i--;
        if (i >= 0) {
            keep = from + i + 1;
            break;
        }
        keep = from;
    }
    if (keep != end && ftruncate(fd, keep) != 0)
        die_errno("truncate", path);
    return end - keep;
}

static void write_all(int fd, const char *path, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die_errno("write", path);
        }
        p += n;
        len -= (size_t)n;
    }
}

static const char usage[] =
    "usage: log_sink --channel CHANNEL --out FILE [--fsync] [--crash-after-write N]\n"
    "Appends the batches of log lines that arrive on CHANNEL to FILE, acknowledging\n"
    "each batch after it is written (at-least-once); stops at the end of the log\n"
    "(an empty message) or on SIGTERM.\n"
    "  --fsync                fdatasync() FILE before each acknowledgement (for\n"
    "                         machine crashes; much slower)\n"
    "  --crash-after-write N  fault injection: die by SIGKILL right after writing the\n"
    "                         N-th batch, before acknowledging it\n";

int main(int argc, char **argv)
{
    const char *chan_path = NULL, *out_path = NULL;
    int do_fsync = 0;
    unsigned long crash_after = 0;
    const struct sample_opt opts[] = {
        {"--channel", SAMPLE_OPT_STRING, &chan_path},
        {"--out", SAMPLE_OPT_STRING, &out_path},
        {"--fsync", SAMPLE_OPT_FLAG, &do_fsync},
        {"--crash-after-write", SAMPLE_OPT_ULONG, &crash_after},
        {NULL, 0, NULL},
    };
    sample_parse_args(argc, argv, opts, usage);
    if (chan_path == NULL || out_path == NULL) {
        fputs(usage, stderr);
        return 2;
    }
    sample_catch_signals();

    int fd = open(out_path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        die_errno("open", out_path);
    off_t torn = repair_tail(fd, out_path);

    /* The application's geometry: 256 slots of 4096 bytes. A dead predecessor's consumer role
     * is taken over by open itself; its position (tail) is in the file. */
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = 256;
    o.slot_size = 4096;
    hftipc_channel_t *ch;
    int rc = hftipc_channel_open_or_create(chan_path, &o, HFTIPC_ROLE_CONSUMER, &ch);
    if (rc != HFTIPC_OK)
        sample_die("sink", "open (consumer)", chan_path, rc);
    hftipc_info_t info;
    memset(&info, 0, sizeof info);
    info.size = sizeof info;
    hftipc_channel_stats(ch, &info);
    printf("sink: ready: %s -> %s, resuming at batch %" PRIu64 " (%" PRIu64
           " waiting); cut a torn tail of %lld bytes\n",
           chan_path, out_path, info.tail, info.backlog, (long long)torn);
    fflush(stdout);

    uint64_t batches = 0, lines = 0, bytes = 0, bad = 0;
    int ended = 0;
    while (!sample_stop_requested) {
        const void *p;
        int64_t n = hftipc_channel_peek(ch, &p);
        if (n == HFTIPC_EEMPTY) {
            rc = hftipc_channel_wait(ch, 100 * 1000000LL); /* sleep until a batch comes */
            if (rc != HFTIPC_OK && rc != HFTIPC_ETIMEDOUT)
                sample_die("sink", "wait on", chan_path, rc);
            continue;
        }
        if (n < 0)
            sample_die("sink", "peek at", chan_path, n);
        if (n == 0) {
            ended = 1;
        } else if (((const char *)p)[n - 1] != '\n') {
            bad++; /* not a batch of whole lines: never write a torn line */
        } else {
            /* write(2) reads the shared mapping directly: the slot is ours until the ack. */
            write_all(fd, out_path, p, (size_t)n);
            if (do_fsync && fdatasync(fd) != 0)
                die_errno("fdatasync", out_path);
            for (const char *c = p, *e = c + n; (c = memchr(c, '\n', (size_t)(e - c))); c++)
                lines++;
            bytes += (uint64_t)n;
            batches++;
            if (crash_after != 0 && batches == crash_after) {
                printf("sink: injected crash after writing batch %" PRIu64 ", before its ack\n",
                       info.tail + batches - 1);
                fflush(stdout);
                raise(SIGKILL); /* the worst moment: written, not acknowledged */
            }
        }
        rc = hftipc_channel_ack(ch);
        if (rc != HFTIPC_OK)
            sample_die("sink", "ack on", chan_path, rc);
        if (ended)
            break;
    }
    hftipc_channel_close(ch);
    if (close(fd) != 0)
        die_errno("close", out_path);
    printf("sink: %s: wrote %" PRIu64 " lines in %" PRIu64 " batches (%" PRIu64 " bytes), %" PRIu64
           " bad batches skipped\n",
           ended ? "end of the log" : "stopped", lines, batches, bytes, bad);
    return bad ? 1 : 0;
}
