/* hftipc rm: retire channels and unlink them, so that every process using them is told. */
#include "cli.h"

static int run(void *p, int argc, char **argv)
{
    (void)p;
    int any_fail = 0;
    for (int k = 0; k < argc; k++) {
        int rc = hftipc_channel_remove(argv[k]);
        if (rc != HFTIPC_OK) {
            fflush(stdout);
            fprintf(stderr, "%s: %s [%s]\n", argv[k], hftipc_strerror(rc), hftipc_err_name(rc));
            any_fail = 1;
        }
    }
    return any_fail ? EXIT_FAIL : EXIT_OK;
}

const cli_command_t cli_cmd_rm = {
    .name = "rm",
    .summary = "retire channels and remove their files; every open handle is told",
    .list_args = "PATH...",
    .synopsis = "hftipc rm PATH...\n",
    .description =
        "Retires each channel (docs/FORMAT.md, section 15), then unlinks PATH if it still\n"
        "names that file. Unlike rm(1), every process that has the channel open learns at\n"
        "once: its sends that find the ring full, its receives that find it empty (a consumer\n"
        "drains what is left first), its blocking waits (sleepers are woken), heartbeats and\n"
        "stats fail with HFTIPC_ESTALE from then on. A file that is not a valid channel is\n"
        "left as it is and reported. Removing an already retired file unlinks it again.\n",
    .exit_status = "0 every channel was removed; 1 some path was not a channel or could not be\n"
                   "removed; 2 usage error.\n",
    .examples = "hftipc rm /dev/shm/quotes\n",
    .arg_name = "PATH",
    .min_args = 1,
    .max_args = CLI_MANY,
    .run = run,
};
