/* hftipc watch: a live view of channels, inspected every interval; never modifies them. */
#include <stdlib.h>

#include "cli.h"

typedef struct watch_opts {
    double interval;
    uint64_t count;
} watch_opts_t;

static void init(void *p)
{
    ((watch_opts_t *)p)->interval = 1.0;
}

static const cli_opt_t opts[] = {
    {.name = "--interval",
     .arg = "SECONDS",
     CLI_SECONDS_AT(watch_opts_t, interval),
     .min_seconds = 0.01,
     .range = "must be at least 0.01 seconds",
     .help = "time between refreshes, e.g. 0.5 (default 1; at least 0.01)"},
    {.name = "--count",
     .arg = "N",
     CLI_UINT_AT(watch_opts_t, count),
     .help = "stop after N refreshes (default 0: until interrupted)"},
    {0},
};

/* What the previous refresh saw of one channel, for the rates. */
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

/* One row; returns 1 if the file was invalid. */
static int watch_row(const char *path, watch_state_t *st)
{
    hftipc_info_t in;
    int e;
    double t = now_mono();
    int rc = inspect_path(path, &in, &e);
    if (rc != HFTIPC_OK) {
        char reason[512];
        describe(rc, &in, e, reason, sizeof reason);
        printf("%-24s %s [%s]\n", path, reason, hftipc_err_name(rc));
        st->have = 0;
        return 1;
    }
    char pub[32], cons[32], prod[40], consu[40];
    double dt = t - st->t;
    fmt_rate(pub, sizeof pub, st, in.head, st->head, dt);
    fmt_rate(cons, sizeof cons, st, in.tail, st->tail, dt);
    format_peer(prod, sizeof prod, in.producer_pid, in.producer_liveness);
    format_peer(consu, sizeof consu, in.consumer_pid, in.consumer_liveness);
    printf("%-24s %12llu %12llu %10llu %10s %10s %8llu %16s %16s\n", path,
           (unsigned long long)in.head, (unsigned long long)in.tail, (unsigned long long)in.backlog,
           pub, cons, (unsigned long long)in.full_count, prod, consu);
    st->have = 1;
    st->head = in.head;
    st->tail = in.tail;
    st->t = t;
    return 0;
}

static int run(void *p, int argc, char **argv)
{
    const watch_opts_t *o = p;
    watch_state_t *st = calloc((size_t)argc, sizeof *st);
    if (st == NULL) {
        errmsg("out of memory");
        return EXIT_FAIL;
    }
    int tty = cli_stdout_is_terminal();
    int last_bad = 0;
    for (uint64_t round = 0; !cli_stop && (o->count == 0 || round < o->count); round++) {
        if (round > 0)
            sleep_seconds(o->interval);
        if (cli_stop)
            break;
        char when[64];
        iso8601(now_real_ns(), when, sizeof when);
        if (tty)
            fputs("\033[H\033[2J", stdout);
        else if (round > 0)
            fputc('\n', stdout);
        printf("hftipc watch  %s  every %gs  (refresh %llu)\n", when, o->interval,
               (unsigned long long)round + 1);
        printf("%-24s %12s %12s %10s %10s %10s %8s %16s %16s\n", "CHANNEL", "HEAD", "TAIL",
               "BACKLOG", "PUB/s", "CONS/s", "FULL", "PRODUCER", "CONSUMER");
        last_bad = 0;
        for (int k = 0; k < argc; k++)
            last_bad |= watch_row(argv[k], &st[k]);
        fflush(stdout);
    }
    free(st);
    return last_bad ? EXIT_FAIL : EXIT_OK;
}

const cli_command_t cli_cmd_watch = {
    .name = "watch",
    .summary = "live view of one or more channels with message rates",
    .list_args = "PATH...",
    .synopsis = "hftipc watch PATH... [--interval SECONDS] [--count N]\n",
    .description =
        "Inspects each channel every interval (no role taken, files never modified) and\n"
        "shows head, tail, backlog, publish and consume rates in messages per second (from\n"
        "the change since the previous refresh; '-' on the first), the full count, and the\n"
        "producer and consumer holders. On a terminal the screen is cleared before each\n"
        "refresh; otherwise blocks are printed one after another, separated by a blank line.\n"
        "An invalid file shows its reason in place of the numbers. Stop with Ctrl-C.\n",
    .opts = opts,
    .exit_status =
        "0 every file was valid at the last refresh; 1 some file was not; 2 usage error.\n",
    .examples = "hftipc watch /dev/shm/quotes /dev/shm/orders\n"
                "hftipc watch /dev/shm/quotes --interval 0.2 --count 5 > log.txt\n",
    .arg_name = "PATH",
    .min_args = 1,
    .max_args = CLI_MANY,
    .opts_size = sizeof(watch_opts_t),
    .init = init,
    .run = run,
};
