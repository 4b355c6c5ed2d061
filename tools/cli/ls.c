/*
 * hftipc ls: the channel files of a directory, with their mode, geometry, format, role holders
 * and backlog; files that fail validation are listed with their status. With --watch, follows
 * the directory and prints each channel that appears, changes or disappears. Built on the
 * discovery API (hftipc_dir_*, hftipc_watch_*): nothing is modified, no role is taken.
 */
#include <errno.h>
#include <string.h>

#include "cli.h"

typedef struct ls_opts {
    int json, watch, poll;
    double timeout;  /* < 0: not given (never) */
    double interval; /* 0: not given (the library's default) */
    uint64_t count;
} ls_opts_t;

static void init(void *p)
{
    ((ls_opts_t *)p)->timeout = -1;
}

static const cli_opt_t opts[] = {
    {.name = "--json",
     CLI_FLAG_AT(ls_opts_t, json),
     .help = "print JSON instead: one object {\"dir\", \"entries\": [...]};\n"
             "with --watch one object per line and event (keys in\n"
             "docs/CLI.md)"},
    {.name = "--watch",
     CLI_FLAG_AT(ls_opts_t, watch),
     .help = "list the directory, then print each entry that appears, changes\n"
             "or disappears, until Ctrl-C, --count or --timeout"},
    {.name = "--timeout",
     .arg = "SECONDS",
     CLI_SECONDS_AT(ls_opts_t, timeout),
     .help = "with --watch: exit after SECONDS without an event\n"
             "(default: never)"},
    {.name = "--count",
     .arg = "N",
     CLI_UINT_AT(ls_opts_t, count),
     .help = "with --watch: exit after N events, the initial listing included\n"
             "(default 0: no limit)"},
    {.name = "--interval",
     .arg = "SECONDS",
     CLI_SECONDS_AT(ls_opts_t, interval),
     .min_seconds = 0.001,
     .range = "must be at least 0.001 seconds",
     .help = "with --watch: rescan period, how soon a holder's death is seen\n"
             "(default 0.1; no file event announces it)"},
    {.name = "--poll",
     CLI_FLAG_AT(ls_opts_t, poll),
     .help = "with --watch: do not use inotify, only rescan every interval"},
    {0},
};

static const char *type_name(uint32_t t)
{
    switch (t) {
    case HFTIPC_ENTRY_REGULAR:
        return "file";
    case HFTIPC_ENTRY_SYMLINK:
        return "symlink";
    case HFTIPC_ENTRY_DIRECTORY:
        return "directory";
    default:
        return "other";
    }
}

static const char *event_name(uint32_t ev)
{
    return ev == HFTIPC_WATCH_ADDED     ? "added"
           : ev == HFTIPC_WATCH_CHANGED ? "changed"
           : ev == HFTIPC_WATCH_REMOVED ? "removed"
                                        : "unknown";
}

static void join(char *buf, size_t len, const char *dir, const char *name)
{
    size_t n = strlen(dir);
    snprintf(buf, len, "%s%s%s", dir, n > 0 && dir[n - 1] == '/' ? "" : "/", name);
}

/* A directory that cannot be listed or watched; the status is the library's. */
static int dir_failed(const char *dir, int rc, int sys_errno)
{
    if (rc == HFTIPC_ENOTFILE)
        errmsg("%s: not a directory [%s]", dir, hftipc_err_name(rc));
    else
        report(dir, rc, NULL, sys_errno);
    return exit_for(rc);
}

static void text_header(int watch)
{
    if (watch)
        printf("%-8s ", "EVENT");
    printf("%-24s %-4s %-6s %10s %9s %10s %16s %16s\n", "NAME", "MODE", "FORMAT", "CAPACITY",
           "SLOT", "BACKLOG", "PRODUCER", "CONSUMER");
}

/* One entry as a text row: its numbers when valid, else its reason and status. */
static void text_row(const hftipc_dir_entry_t *e, const hftipc_info_t *in)
{
    char name[4 * HFTIPC_NAME_MAX + 1];
    text_escape(name, sizeof name, e->name);
    if (e->event != 0)
        printf("%-8s ", event_name(e->event));
    if (e->status != HFTIPC_OK) {
        char reason[512];
        describe(e->status, in, 0, reason, sizeof reason);
        printf("%-24s %s [%s]\n", name, reason, hftipc_err_name(e->status));
        return;
    }
    char fmt[16], prod[40], cons[40];
    snprintf(fmt, sizeof fmt, "%u.%u", in->format_major, in->format_minor);
    if (in->mode == HFTIPC_MODE_MPSC && in->producer_count > 0)
        snprintf(prod, sizeof prod, "%u producers", in->producer_count);
    else
        format_peer(prod, sizeof prod, in->producer_pid, in->producer_liveness);
    format_peer(cons, sizeof cons, in->consumer_pid, in->consumer_liveness);
    printf("%-24s %-4s %-6s %10u %9u %10llu %16s %16s\n", name, mode_name(in->mode), fmt,
           in->capacity, in->slot_size, (unsigned long long)in->backlog, prod, cons);
}

/* One entry as a JSON object: what the directory says, then inspect --json's keys. */
static void json_entry(const char *dir, const hftipc_dir_entry_t *e, const hftipc_info_t *in)
{
    char path[4096 + HFTIPC_NAME_MAX + 2], reason[512];
    join(path, sizeof path, dir, e->name);
    describe(e->status, in, 0, reason, sizeof reason);
    fputc('{', stdout);
    if (e->event != 0) {
        char when[64];
        iso8601(now_real_ns(), when, sizeof when);
        printf("\"event\":\"%s\",\"time\":\"%s\",", event_name(e->event), when);
    }
    fputs("\"name\":", stdout);
    json_string(stdout, e->name);
    printf(",\"type\":\"%s\",\"inode\":%llu,\"bytes\":%llu,", type_name(e->type),
           (unsigned long long)e->inode, (unsigned long long)e->bytes);
    json_info(stdout, path, e->status, in, reason);
    fputc('}', stdout);
}

static void entry_init(hftipc_dir_entry_t *e, hftipc_info_t *in)
{
    memset(e, 0, sizeof *e);
    e->size = sizeof *e;
    memset(in, 0, sizeof *in);
    in->size = sizeof *in;
}

static int list(const ls_opts_t *o, const char *dir)
{
    hftipc_dir_t *d = NULL;
    errno = 0;
    int rc = hftipc_dir_open(dir, &d);
    if (rc != HFTIPC_OK)
        return dir_failed(dir, rc, errno);
    if (o->json) {
        fputs("{\"dir\":", stdout);
        json_string(stdout, dir);
        fputs(",\"entries\":[", stdout);
    } else {
        text_header(0);
    }
    hftipc_dir_entry_t e;
    hftipc_info_t in;
    int n = 0;
    for (;;) {
        entry_init(&e, &in);
        rc = hftipc_dir_next(d, &e, &in);
        if (rc != 1)
            break;
        if (o->json) {
            if (n > 0)
                fputc(',', stdout);
            json_entry(dir, &e, &in);
        } else {
            text_row(&e, &in);
        }
        n++;
    }
    if (o->json)
        fputs("]}\n", stdout);
    hftipc_dir_close(d);
    if (rc < 0) {
        report(dir, rc, NULL, 0);
        return EXIT_FAIL;
    }
    return output_failed() ? EXIT_FAIL : EXIT_OK;
}

/* The events of an open watch until --count, --timeout, Ctrl-C or an error. */
static int follow(const ls_opts_t *o, const char *dir, hftipc_watch_t *w)
{
    hftipc_dir_entry_t e;
    hftipc_info_t in;
    uint64_t got = 0;
    double idle_since = now_mono();
    if (!o->json)
        text_header(1);
    while (!cli_stop && (o->count == 0 || got < o->count)) {
        int64_t timeout_ns = HFTIPC_WAIT_FOREVER;
        if (o->timeout >= 0) {
            double left = idle_since + o->timeout - now_mono();
            timeout_ns = left > 0 ? (int64_t)(left * 1e9) : 0;
        }
        entry_init(&e, &in);
        int rc = hftipc_watch_next(w, timeout_ns, &e, &in);
        if (rc == 0) /* stopped by SIGINT or SIGTERM */
            return EXIT_OK;
        if (rc == HFTIPC_ETIMEDOUT) {
            if (o->count == 0)
                return EXIT_OK;
            errmsg("%s: ls --watch: timed out after %g s without an event (%llu of %llu seen)", dir,
                   o->timeout, (unsigned long long)got, (unsigned long long)o->count);
            return EXIT_FAIL;
        }
        if (rc < 0) {
            report(dir, rc, NULL, errno);
            return EXIT_FAIL;
        }
        if (o->json) {
            json_entry(dir, &e, &in);
            fputc('\n', stdout);
        } else {
            text_row(&e, &in);
        }
        if (output_failed()) /* flushed per event: a pipe reader sees it at once */
            return EXIT_FAIL;
        got++;
        idle_since = now_mono();
    }
    return EXIT_OK;
}

static int watch(const ls_opts_t *o, const char *dir)
{
    hftipc_watch_options_t wo;
    hftipc_watch_options_init(&wo);
    if (o->interval > 0)
        wo.interval_ns = (int64_t)(o->interval * 1e9);
    if (o->poll)
        wo.flags |= HFTIPC_WATCH_POLL;
    hftipc_watch_t *w = NULL;
    errno = 0;
    int rc = hftipc_watch_open(dir, &wo, &w);
    if (rc != HFTIPC_OK)
        return dir_failed(dir, rc, errno);
    cli_stop_watch_on_signal(w);
    rc = follow(o, dir, w);
    cli_stop_watch_on_signal(NULL);
    hftipc_watch_close(w);
    return rc;
}

static int run(void *p, int argc, char **argv)
{
    const ls_opts_t *o = p;
    (void)argc;
    if (!o->watch && (o->timeout >= 0 || o->count != 0 || o->interval > 0 || o->poll))
        return usage_error("ls", "--timeout, --count, --interval and --poll need --watch");
    return o->watch ? watch(o, argv[0]) : list(o, argv[0]);
}

const cli_command_t cli_cmd_ls = {
    .name = "ls",
    .summary = "list the channel files of a directory; --watch follows it",
    .list_args = "DIR",
    .synopsis = "hftipc ls DIR [--json]\n"
                "hftipc ls DIR --watch [--json] [--timeout SECONDS] [--count N]\n"
                "          [--interval SECONDS] [--poll]\n",
    .description =
        "Lists every entry of the directory DIR, in byte order of the names, without\n"
        "taking a role, following a symlink, opening a FIFO or modifying anything. A valid\n"
        "channel file shows its mode, format version, capacity, slot size, backlog and role\n"
        "holders (PID/liveness, or the number of producers of an MPSC channel); any other\n"
        "entry (a truncated or foreign file, a directory, a symlink) shows the reason it is\n"
        "not a usable channel and its status, as 'hftipc check' would.\n"
        "\n"
        "With --watch, the entries present are reported first (event 'added'), then each\n"
        "entry that appears, changes (status, file, geometry or a role holder; not the\n"
        "cursors) or disappears, one line per event, flushed at once. New names are seen\n"
        "through inotify when available; a holder's death changes no file, so the\n"
        "directory is also rescanned every interval. Stop with Ctrl-C.\n",
    .opts = opts,
    .exit_status =
        "0 listed (invalid files are part of the listing, not errors), or with --watch:\n"
        "after --count events, after the timeout when no --count was given, or on Ctrl-C;\n"
        "1 DIR cannot be listed (missing, not a directory, no permission), or --count was\n"
        "given and the timeout came first; 2 usage error.\n",
    .examples = "hftipc ls /dev/shm\n"
                "hftipc ls /dev/shm/feeds --json | python3 -m json.tool\n"
                "hftipc ls /dev/shm/feeds --watch --json\n",
    .arg_name = "DIR",
    .min_args = 1,
    .max_args = 1,
    .opts_size = sizeof(ls_opts_t),
    .init = init,
    .run = run,
};
