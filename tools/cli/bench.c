/*
 * hftipc bench: runs the hftipc_bench program with the arguments unchanged.
 *
 * hftipc_bench is looked for next to this executable, in ../bench/ (the build tree), in the
 * installed private directory (HFTIPC_LIBEXEC_REL, relative to the executable's directory, set
 * by the build from CMAKE_INSTALL_BINDIR and CMAKE_INSTALL_LIBEXECDIR, so that an installed
 * tree moved elsewhere still finds it), then in PATH.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifndef HFTIPC_LIBEXEC_REL
#define HFTIPC_LIBEXEC_REL "../libexec/hftipc"
#endif

/* Defined at the end of this file; run() prints its help (bench parses no options). */
extern const cli_command_t cli_cmd_bench;

/* Runs path in place of this program if it is executable: does not return then. -1 if
 * absent, EXIT_FAIL if it exists but could not be run. */
static int exec_if_exists(const char *path, char **args)
{
    if (!cli_is_executable(path))
        return -1;
    args[0] = (char *)path;
    cli_exec(path, args);
    errmsg("%s: cannot run: %s", path, strerror(errno));
    return EXIT_FAIL;
}

/* Tries each place relative to this executable's directory; -1 if none has hftipc_bench. */
static int exec_near_self(char **args)
{
    static const char *const places[] = {"hftipc_bench" CLI_EXE_SUFFIX,
                                         "../bench/hftipc_bench" CLI_EXE_SUFFIX,
                                         HFTIPC_LIBEXEC_REL "/hftipc_bench" CLI_EXE_SUFFIX};
    char self[4096];
    if (cli_self_dir(self, sizeof self) != 0)
        return -1;
    for (size_t k = 0; k < sizeof places / sizeof places[0]; k++) {
        char cand[sizeof self + 64];
        snprintf(cand, sizeof cand, "%s/%s", self, places[k]);
        int rc = exec_if_exists(cand, args);
        if (rc >= 0)
            return rc;
    }
    return -1;
}

static int run(void *p, int argc, char **argv)
{
    (void)p;
    int first = 0;
    if (argc > 0 && cli_is_help(argv[0])) {
        cli_help(stdout, &cli_cmd_bench);
        return EXIT_OK;
    }
    if (argc > 0 && strcmp(argv[0], "--") == 0)
        first = 1;
    char **args = calloc((size_t)(argc - first) + 2, sizeof *args);
    if (args == NULL) {
        errmsg("out of memory");
        return EXIT_FAIL;
    }
    for (int k = first; k < argc; k++)
        args[1 + k - first] = argv[k];
    int rc = exec_near_self(args);
    if (rc >= 0) {
        free(args);
        return rc;
    }
    args[0] = "hftipc_bench";
    cli_exec_in_path("hftipc_bench", args);
    errmsg("bench: hftipc_bench not found next to this program, in ../bench/ of the build "
           "tree, in %s/ of the installation, or in PATH (%s); build it with the project "
           "(HFTIPC_BUILD_BENCH=ON)",
           HFTIPC_LIBEXEC_REL, strerror(errno));
    free(args);
    return EXIT_FAIL;
}

const cli_command_t cli_cmd_bench = {
    .name = "bench",
    .summary = "run the hftipc_bench benchmark",
    .list_args = "[ARGS]",
    .synopsis = "hftipc bench [--] [ARGS...]\n",
    .description =
        "Runs the hftipc_bench program with ARGS passed through unchanged. It is looked for\n"
        "next to the hftipc executable, then at ../bench/hftipc_bench relative to it (the\n"
        "build tree), then in the installation's " HFTIPC_LIBEXEC_REL " directory, then\n"
        "in PATH. Use 'hftipc bench -- --help' for the benchmark's own options (a leading\n"
        "'--' is removed before passing the rest).\n",
    .exit_status = "The benchmark's exit status; 1 if hftipc_bench cannot be found or run.\n",
    .examples = "hftipc bench --quick\n"
                "hftipc bench -- --help\n",
    .raw = 1,
    .run = run,
};
