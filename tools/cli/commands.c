/*
 * The table of commands and the documentation of hftipc itself.
 *
 * Adding a subcommand: write tools/cli/NAME.c defining `const cli_command_t cli_cmd_NAME`
 * (documentation, option table, run function), and add X(NAME) to HFTIPC_COMMANDS below, in
 * the place it should have in the COMMANDS list. The build, the dispatcher, --help, the man
 * pages and their test pick it up from there.
 */
#include <string.h>

#include "cli.h"

#define HFTIPC_COMMANDS(X)                                                                         \
    X(create)                                                                                      \
    X(inspect)                                                                                     \
    X(watch)                                                                                       \
    X(tail)                                                                                        \
    X(send)                                                                                        \
    X(recv)                                                                                        \
    X(check)                                                                                       \
    X(ls)                                                                                          \
    X(rm)                                                                                          \
    X(bench)

#define CLI_DECLARE(name) extern const cli_command_t cli_cmd_##name;
HFTIPC_COMMANDS(CLI_DECLARE)

#define CLI_ROW(name) &cli_cmd_##name,
const cli_command_t *const cli_commands[] = {HFTIPC_COMMANDS(CLI_ROW)};
const size_t cli_command_count = sizeof cli_commands / sizeof cli_commands[0];

const cli_command_t *cli_command_find(const char *name)
{
    for (size_t k = 0; k < cli_command_count; k++)
        if (strcmp(name, cli_commands[k]->name) == 0)
            return cli_commands[k];
    return NULL;
}

/* Documentation only: main() handles these two itself, before any command is looked up. */
static const cli_opt_t main_opts[] = {
    {.name = "--help",
     .short_name = 'h',
     .type = CLI_FLAG,
     .help = "show this help, or a command's help after the command name"},
    {.name = "--version",
     .type = CLI_FLAG,
     .help = "print the library version and the channel format version"},
    {0},
};

const cli_command_t cli_main = {
    .summary = "create, inspect and use hftipc channel files",
    .synopsis = "hftipc COMMAND [OPTIONS] [ARGS]\n"
                "hftipc COMMAND --help | hftipc help COMMAND\n"
                "hftipc --help | --version\n",
    .description =
        "An hftipc channel is a lock-free ring of fixed-size slots in a memory-mapped file\n"
        "(usually under /dev/shm) shared by a producer and a consumer process. This tool\n"
        "creates channel files, shows their state, validates them, and moves messages in\n"
        "and out of them from the shell.\n"
        "\n"
        "Options may come before or after the positional arguments; '--name VALUE' and\n"
        "'--name=VALUE' are the same; '--' ends the options. Numbers are decimal digits\n"
        "only, range-checked; durations are seconds with an optional fraction (2, 0.25).\n",
    .opts = main_opts,
    .exit_status =
        "0   success\n"
        "1   the operation failed, or a file is not a valid channel (reason on stderr)\n"
        "2   usage error: unknown command or option, bad or missing argument\n"
        "3   the file needs a newer library: its format major version or an incompatible\n"
        "    feature flag is unknown to this one (it cannot be read or written)\n"
        "Errors are printed as 'hftipc: PATH: reason [HFTIPC_ESTATUS]'.\n",
    .examples = "hftipc create /dev/shm/quotes --capacity 4096 --slot-size 256\n"
                "printf 'hello\\nworld\\n' | hftipc send /dev/shm/quotes\n"
                "hftipc recv /dev/shm/quotes --count 2\n"
                "hftipc inspect /dev/shm/quotes --json\n"
                "hftipc watch /dev/shm/quotes /dev/shm/orders\n",
};
