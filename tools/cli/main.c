/*
 * hftipc: the command-line tool of libhftipc.
 *
 * main() selects the command from the table (commands.c), parses its options with the
 * declarative parser (opt.c) and runs it. docs/CLI.md and hftipc(1) are the reference.
 *
 * Exit statuses (the same for every subcommand): 0 success; 1 the operation failed or a file
 * is invalid; 2 usage error; 3 the file needs a newer library (format major or incompat flag
 * unknown to this one). Errors go to stderr as "hftipc: PATH: reason [HFTIPC_ESTATUS]".
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int print_version(void)
{
    printf("hftipc %s (library %s, built against %s)\n", hftipc_version_string(),
           hftipc_version_string(), HFTIPC_VERSION_STRING);
    printf("channel format %d.%d (reads and writes format %d.x files)\n", HFTIPC_FORMAT_MAJOR,
           HFTIPC_FORMAT_MINOR, HFTIPC_FORMAT_MAJOR);
    return EXIT_OK;
}

/* Parses the command's arguments and runs it (bpftool's cmd_select, for one level). */
static int run_command(const cli_command_t *cmd, int argc, char **argv)
{
    if (cmd->raw)
        return cmd->run(NULL, argc, argv);
    void *opts = calloc(1, cmd->opts_size > 0 ? cmd->opts_size : 1);
    if (opts == NULL) {
        errmsg("out of memory");
        return EXIT_FAIL;
    }
    if (cmd->init != NULL)
        cmd->init(opts);
    int npos = 0;
    int rc = cli_parse(cmd, argc, argv, opts, &npos);
    if (rc == EXIT_OK)
        rc = cmd->run(opts, npos, argv);
    else if (rc == CLI_HELP_SHOWN)
        rc = EXIT_OK;
    free(opts);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_help(stderr, NULL);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "help") == 0 && argc > 2) { /* "hftipc help ls", as git has it */
        const cli_command_t *cmd = cli_command_find(argv[2]);
        if (cmd == NULL)
            return usage_error(NULL, "unknown command '%s'", argv[2]);
        cli_help(stdout, cmd);
        return EXIT_OK;
    }
    if (cli_is_help(name) || strcmp(name, "help") == 0) {
        cli_help(stdout, NULL);
        return EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0)
        return print_version();
    const cli_command_t *cmd = cli_command_find(name);
    if (cmd == NULL) {
        if (name[0] == '-')
            return usage_error(NULL, "unknown option '%s'", name);
        return usage_error(NULL, "unknown command '%s'", name);
    }
    cli_install_signals();
    int rc = run_command(cmd, argc - 2, argv + 2);
    if (fflush(stdout) != 0 && rc == EXIT_OK) {
        errmsg("standard output: write failed: %s", strerror(errno));
        rc = EXIT_FAIL;
    }
    return rc;
}
