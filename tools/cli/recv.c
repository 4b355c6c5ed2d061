/* hftipc recv: consume messages and print them, acknowledging each once it is out. */
#include "cli.h"
#include "reader.h"

static void init(void *p)
{
    reader_opts_t *r = p;
    r->timeout = -1;
    r->mode = PRINT_RAW;
}

static const cli_opt_t opts[] = {
    READER_OPT_COUNT("exit after N messages (default 0: until the timeout)"),
    READER_OPT_TIMEOUT("exit after SECONDS with nothing to read (default: never)"),
    READER_OPT_HEX("print each message as lowercase hex digits"),
    {0},
};

/* Peek, print and flush, then ack (done): a message leaves the channel only once it is out. */
static int64_t fetch(hftipc_channel_t *ch, void *buf, size_t cap, const void **msg)
{
    (void)buf;
    (void)cap;
    return hftipc_channel_peek(ch, msg);
}

static const reader_ops_t ops = {
    .cmd = "recv", .role = HFTIPC_ROLE_CONSUMER, .fetch = fetch, .done = hftipc_channel_ack};

static int run(void *p, int argc, char **argv)
{
    (void)argc;
    return reader_run(&ops, p, argv[0]);
}

const cli_command_t cli_cmd_recv = {
    .name = "recv",
    .summary = "consume messages and print one per line (consumer)",
    .list_args = "PATH",
    .synopsis = "hftipc recv PATH [--count N] [--timeout SECONDS] [--hex]\n",
    .description =
        "Takes the consumer role and writes each message to standard output followed by a\n"
        "newline. The message bytes are written as they are: a message that contains a\n"
        "newline therefore spans several output lines (use --hex for an unambiguous form).\n"
        "Lines sent with 'hftipc send' come back identical.\n"
        "A message is acknowledged (removed from the channel) only after it was written and\n"
        "flushed to standard output: if the output fails (e.g. a closed pipe), the message\n"
        "stays in the channel for the next consumer.\n"
        "While the channel is empty it polls, sleeping 1 ms growing to 50 ms.\n",
    .opts = opts,
    .exit_status =
        "0 after --count messages, or after the timeout when no --count was given, or on\n"
        "Ctrl-C; 1 open failed, a corrupt slot, an output error, or the timeout came before\n"
        "--count messages; 2 usage error; 3 the file needs a newer library.\n",
    .examples = "hftipc recv /dev/shm/quotes --count 1\n"
                "hftipc recv /dev/shm/quotes --timeout 2 > drained.txt\n",
    .arg_name = "PATH",
    .min_args = 1,
    .max_args = 1,
    .opts_size = sizeof(reader_opts_t),
    .init = init,
    .run = run,
};
