/*
 * hftipc_mangen DIR: writes hftipc.1 and hftipc-COMMAND.1 for every command of the table into
 * DIR, rendered from the same tables as --help (doc.c). Run by the build; the pages are
 * installed into share/man/man1.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int write_page(const char *dir, const cli_command_t *cmd)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/hftipc%s%s.1", dir, cmd ? "-" : "", cmd ? cmd->name : "");
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    cli_man(f, cmd);
    if (fclose(f) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: hftipc_mangen DIR\n", stderr);
        return 2;
    }
    int rc = write_page(argv[1], NULL);
    for (size_t k = 0; k < cli_command_count; k++)
        rc |= write_page(argv[1], cli_commands[k]);
    return rc;
}
