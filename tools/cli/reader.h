/*
 * What tail and recv share: their option struct, the option rows they have in common, and the
 * timeout rule.
 */
#ifndef HFTIPC_CLI_READER_H
#define HFTIPC_CLI_READER_H

#include "cli.h"

typedef struct reader_opts {
    uint64_t count;
    double timeout; /* < 0: never */
    int mode;       /* enum print_mode */
} reader_opts_t;

#define READER_OPT_COUNT(HELP)                                                                     \
    {                                                                                              \
        .name = "--count", .arg = "N", CLI_UINT_AT(reader_opts_t, count), .help = HELP             \
    }
#define READER_OPT_TIMEOUT(HELP)                                                                   \
    {                                                                                              \
        .name = "--timeout", .arg = "SECONDS", CLI_SECONDS_AT(reader_opts_t, timeout),             \
        .help = HELP                                                                               \
    }
#define READER_OPT_HEX(HELP)                                                                       \
    {                                                                                              \
        .name = "--hex", CLI_SET_AT(reader_opts_t, mode), .value = PRINT_HEX, .help = HELP         \
    }

/*
 * How a reader takes the next message: fetch returns its length, with *msg pointing at its
 * bytes, or a negative status (HFTIPC_EEMPTY when there is none yet); done, if not NULL, is
 * called once the message has been printed and flushed, and returns a status.
 */
typedef struct reader_ops {
    const char *cmd; /* "tail", "recv": named in messages */
    hftipc_role_t role;
    int64_t (*fetch)(hftipc_channel_t *ch, void *buf, size_t cap, const void **msg);
    int (*done)(hftipc_channel_t *ch);
} reader_ops_t;

/*
 * Opens `path` for ops->role and prints messages until --count, the --timeout, Ctrl-C or an
 * error; polls while the channel is empty (1 ms doubling to 50 ms, reset by each message).
 * Returns the exit status.
 */
int reader_run(const reader_ops_t *ops, const reader_opts_t *r, const char *path);

#endif
