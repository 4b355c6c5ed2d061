/*
 * Channel geometry options, shared by create and send --create: the two table rows and the
 * check of their product against the file size limit.
 */
#ifndef HFTIPC_CLI_GEOMETRY_H
#define HFTIPC_CLI_GEOMETRY_H

#include "cli.h"

#define CLI_OPT_CAPACITY(T, F, HELP)                                                               \
    {                                                                                              \
        .name = "--capacity", .arg = "N", CLI_UINT_AT(T, F), .min = 1, .max = HFTIPC_MAX_CAPACITY, \
        .pow2 = 1, .invalid = "expected a power of two from 1 to 1073741824", .help = HELP         \
    }

#define CLI_OPT_SLOT_SIZE(T, F, HELP)                                                              \
    {                                                                                              \
        .name = "--slot-size", .arg = "BYTES", CLI_UINT_AT(T, F), .min = HFTIPC_MIN_SLOT_SIZE,     \
        .max = HFTIPC_MAX_SLOT_SIZE, .multiple = 8,                                                \
        .invalid = "expected a multiple of 8 from 16 to 67108864 (bytes, including the 8-byte "    \
                   "slot header)",                                                                 \
        .help = HELP                                                                               \
    }

#define CLI_OPT_MAX_PAYLOAD(T, F, HELP)                                                            \
    {                                                                                              \
        .name = "--max-payload", .arg = "BYTES", CLI_UINT_AT(T, F), .min = 0,                      \
        .max = HFTIPC_MAX_SLOT_SIZE - 8,                                                           \
        .invalid = "expected a message size in bytes from 0 to 67108856", .help = HELP             \
    }

/* --max-payload's value before parsing: 0 is a valid payload size, so "not given" is this. */
#define CLI_MAX_PAYLOAD_UNSET UINT64_MAX

/* Sets *slot_size to what the options ask for: --max-payload's (hftipc_slot_size_for) or
 * --slot-size's; if neither was given (slot_size 0, max_payload CLI_MAX_PAYLOAD_UNSET) it keeps
 * its default. Both given is EXIT_USAGE, after saying so. */
int geometry_slot_size(const char *cmd, uint64_t slot_size, uint64_t max_payload, uint32_t *out);

/* FORMAT.md 2.1: the file is at most 2^40 bytes. EXIT_OK, or EXIT_USAGE after saying so. */
int geometry_check(const char *cmd, const hftipc_options_t *o);

#endif
