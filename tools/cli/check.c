/* hftipc check: validate channel files, as an opener would, without modifying them. */
#include "cli.h"

static int run(void *p, int argc, char **argv)
{
    (void)p;
    int any_fail = 0, any_version = 0;
    for (int k = 0; k < argc; k++) {
        const char *path = argv[k];
        hftipc_info_t info;
        int e;
        int rc = inspect_path(path, &info, &e);
        if (rc == HFTIPC_OK) {
            printf("%s: ok (format %u.%u, capacity %u, slot size %u; this library can read and "
                   "write it)\n",
                   path, info.format_major, info.format_minor, info.capacity, info.slot_size);
            continue;
        }
        char reason[512];
        describe(rc, &info, e, reason, sizeof reason);
        fflush(stdout); /* keep stdout and stderr lines in order on a shared terminal */
        fprintf(stderr, "%s: %s [%s]\n", path, reason, hftipc_err_name(rc));
        if (exit_for(rc) == EXIT_VERSION)
            any_version = 1;
        else
            any_fail = 1;
    }
    return any_fail ? EXIT_FAIL : any_version ? EXIT_VERSION : EXIT_OK;
}

const cli_command_t cli_cmd_check = {
    .name = "check",
    .summary = "validate channel files; tell whether this library can use them",
    .list_args = "PATH...",
    .synopsis = "hftipc check PATH...\n",
    .description =
        "Validates each file as an opener would (docs/FORMAT.md, section 3) without taking a\n"
        "role or modifying it. For a good file prints to standard output:\n"
        "    PATH: ok (format X.Y, capacity N, slot size S; this library can read and write it)\n"
        "For a bad file prints to standard error:\n"
        "    PATH: REASON [HFTIPC_ESTATUS]\n"
        "A file of another format major version, or with an incompatible feature flag this\n"
        "library does not know, is reported as one this library cannot read or write, with\n"
        "the file's version and this library's.\n",
    .exit_status = "0 every file is valid; 1 some file is invalid or unreadable; 2 usage error;\n"
                   "3 every bad file is only too new for this library.\n",
    .examples = "hftipc check /dev/shm/*.chan\n",
    .arg_name = "PATH",
    .min_args = 1,
    .max_args = CLI_MANY,
    .run = run,
};
