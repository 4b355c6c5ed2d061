/* hftipc send: publish each line of standard input as one message, as the producer. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "geometry.h"

typedef struct send_opts {
    int create;
    uint64_t capacity, slot_size; /* 0: not given (0 itself is refused by the table) */
    uint64_t max_payload;         /* CLI_MAX_PAYLOAD_UNSET: not given */
    double timeout;
} send_opts_t;

static void init(void *p)
{
    ((send_opts_t *)p)->timeout = 5.0;
    ((send_opts_t *)p)->max_payload = CLI_MAX_PAYLOAD_UNSET;
}

static const cli_opt_t opts[] = {
    {.name = "--create",
     CLI_FLAG_AT(send_opts_t, create),
     .help = "create the channel if PATH does not exist, with --capacity\n"
             "and --slot-size or --max-payload (see hftipc create --help)\n"
             "or the defaults"},
    CLI_OPT_CAPACITY(send_opts_t, capacity, "with --create: number of slots (default 1024)"),
    CLI_OPT_SLOT_SIZE(send_opts_t, slot_size, "with --create: bytes per slot (default 512)"),
    CLI_OPT_MAX_PAYLOAD(send_opts_t, max_payload,
                        "with --create: size the slots for messages of up to BYTES\n"
                        "(instead of --slot-size)"),
    {.name = "--timeout",
     .arg = "SECONDS",
     CLI_SECONDS_AT(send_opts_t, timeout),
     .help = "how long to wait for a free slot for each message\n"
             "(default 5; 0 fails at once when full)"},
    {0},
};

/* Opens PATH as the producer, creating it first if asked and missing; an exit status. */
static int open_producer(const char *path, const send_opts_t *o, hftipc_channel_t **ch)
{
    if (!o->create)
        return open_role(path, HFTIPC_ROLE_PRODUCER, ch);
    hftipc_options_t ho;
    hftipc_options_init(&ho);
    if (o->capacity != 0)
        ho.capacity = (uint32_t)o->capacity; /* range-checked by the option table */
    int rc = geometry_slot_size("send", o->slot_size, o->max_payload, &ho.slot_size);
    if (rc != EXIT_OK)
        return rc;
    rc = geometry_check("send", &ho);
    if (rc != EXIT_OK)
        return rc;
    /* Open first; create only if missing; if another process created it meanwhile, open
     * theirs. Unlike open_or_create, an existing file of any geometry is accepted. */
    for (int attempt = 0; attempt < 3; attempt++) {
        rc = hftipc_channel_open(path, HFTIPC_ROLE_PRODUCER, ch);
        if (rc != HFTIPC_ENOENT)
            break;
        rc = hftipc_channel_create(path, &ho, HFTIPC_ROLE_PRODUCER, ch);
        if (rc != HFTIPC_EEXIST)
            break;
    }
    if (rc == HFTIPC_OK)
        return EXIT_OK;
    int e = errno, e2;
    hftipc_info_t info;
    memset(&info, 0, sizeof info);
    if (rc == HFTIPC_EVERSION || rc == HFTIPC_EINCOMPAT)
        inspect_path(path, &info, &e2);
    report(path, rc, &info, e);
    return exit_for(rc);
}

/* Sends one line, retrying while the ring is full for up to `timeout` seconds. */
static int send_line(hftipc_channel_t *ch, const char *line, size_t len, double timeout)
{
    double start = now_mono(), nap = 0.001;
    for (;;) {
        int rc = hftipc_channel_send(ch, line, len);
        if (rc != HFTIPC_EFULL || cli_stop || now_mono() - start >= timeout)
            return rc;
        sleep_seconds(nap);
        nap = backoff_next(nap);
    }
}

static int run(void *p, int argc, char **argv)
{
    const send_opts_t *o = p;
    const char *path = argv[0];
    (void)argc;
    if ((o->capacity != 0 || o->slot_size != 0) && !o->create)
        return usage_error("send", "--capacity and --slot-size need --create");
    hftipc_channel_t *ch = NULL;
    int rc = open_producer(path, o, &ch);
    if (rc != EXIT_OK)
        return rc;

    size_t max = hftipc_channel_max_payload(ch);
    char *line = NULL;
    size_t line_cap = 0;
    uint64_t lineno = 0;
    int result = EXIT_OK;
    while (!cli_stop) {
        errno = 0;
        int64_t len = cli_getline(&line, &line_cap, stdin);
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
            errmsg("%s: line %llu is %lld bytes, longer than the maximum payload of %zu bytes; "
                   "nothing sent for it, %llu line(s) before it were sent [%s]",
                   path, (unsigned long long)lineno, (long long)len, max,
                   (unsigned long long)lineno - 1, hftipc_err_name(HFTIPC_ETOOBIG));
            result = EXIT_FAIL;
            break;
        }
        rc = send_line(ch, line, (size_t)len, o->timeout);
        if (rc == HFTIPC_EFULL) {
            errmsg("%s: line %llu: the channel stayed full for %g s (is a consumer running?); "
                   "%llu line(s) before it were sent [%s]",
                   path, (unsigned long long)lineno, o->timeout, (unsigned long long)lineno - 1,
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

const cli_command_t cli_cmd_send = {
    .name = "send",
    .summary = "publish each line of standard input as a message (producer)",
    .list_args = "PATH",
    .synopsis =
        "hftipc send PATH [--create [--capacity N] [--slot-size BYTES | --max-payload BYTES]]\n"
        "            [--timeout SECONDS]\n",
    .description =
        "Takes the producer role and publishes each line of standard input as one message:\n"
        "the bytes of the line without its newline (a last line without newline counts;\n"
        "an empty line is a 0-byte message; other bytes, including NUL and CR, are sent as\n"
        "they are). When the ring is full it retries, sleeping 1 ms growing to 50 ms, for up\n"
        "to --timeout seconds per message, then fails.\n"
        "A line longer than the maximum payload (slot size - 8) is an error: nothing is\n"
        "written for it, send stops immediately and names the line number and the limit;\n"
        "the lines before it have been published.\n",
    .opts = opts,
    .exit_status =
        "0 every line was published; 1 open failed, the ring stayed full past the timeout\n"
        "[HFTIPC_EFULL], a line was too long [HFTIPC_ETOOBIG], or reading stdin failed;\n"
        "2 usage error; 3 the file needs a newer library.\n",
    .examples = "echo hello | hftipc send /dev/shm/quotes --create\n"
                "hftipc send /dev/shm/quotes --timeout 30 < orders.txt\n",
    .arg_name = "PATH",
    .min_args = 1,
    .max_args = 1,
    .opts_size = sizeof(send_opts_t),
    .init = init,
    .run = run,
};
