/* hftipc tail: print new messages as an observer, without consuming them. */
#include "cli.h"
#include "reader.h"

static void init(void *p)
{
    reader_opts_t *r = p;
    r->timeout = -1;
    r->mode = PRINT_TEXT;
}

static const cli_opt_t opts[] = {
    {.name = "--text",
     CLI_SET_AT(reader_opts_t, mode),
     .value = PRINT_TEXT,
     .help = "(default) printable ASCII as is; backslash, newline, tab, CR\n"
             "as \\\\ \\n \\t \\r; other bytes as \\xHH"},
    READER_OPT_HEX("each message as lowercase hex digits (empty line for an empty\n"
                   "message)"),
    READER_OPT_COUNT("exit after N messages (default 0: no limit)"),
    READER_OPT_TIMEOUT("exit after SECONDS without a new message (default: never)"),
    {0},
};

/* An observer copies the message out: the consumer may free its slot at any time. */
static int64_t fetch(hftipc_channel_t *ch, void *buf, size_t cap, const void **msg)
{
    *msg = buf;
    return hftipc_channel_receive(ch, buf, cap);
}

static const reader_ops_t ops = {
    .cmd = "tail", .role = HFTIPC_ROLE_OBSERVER, .fetch = fetch, .done = NULL};

static int run(void *p, int argc, char **argv)
{
    (void)argc;
    return reader_run(&ops, p, argv[0]);
}

const cli_command_t cli_cmd_tail = {
    .name = "tail",
    .summary = "print new messages without consuming them",
    .list_args = "PATH",
    .synopsis = "hftipc tail PATH [--text | --hex] [--count N] [--timeout SECONDS]\n",
    .description =
        "Opens the channel as an observer (no role taken; any number of observers may run\n"
        "beside the producer and the consumer) and prints each message published after it\n"
        "started, one per line. The consumer still receives every message. When the\n"
        "producer overtakes the observer (the consumer freed slots the observer had not\n"
        "read yet), a note goes to stderr and tail continues with the oldest message still\n"
        "in the ring. While the channel is empty it polls, sleeping 1 ms growing to 50 ms.\n",
    .opts = opts,
    .exit_status =
        "0 after --count messages, after the timeout, or on Ctrl-C; 1 open or read failed,\n"
        "or --count was given and the timeout came first; 2 usage error; 3 the file needs a\n"
        "newer library.\n",
    .examples = "hftipc tail /dev/shm/quotes\n"
                "hftipc tail /dev/shm/quotes --hex --count 10 --timeout 5\n",
    .arg_name = "PATH",
    .min_args = 1,
    .max_args = 1,
    .opts_size = sizeof(reader_opts_t),
    .init = init,
    .run = run,
};
