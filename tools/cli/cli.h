/*
 * Private header of the hftipc command-line tool (tools/cli/).
 *
 * The tool is a table of commands (commands.c) in the manner of bpftool's `struct cmd` and
 * git's builtin/: one file per subcommand, each defining one cli_command_t that carries its
 * documentation, its option table and its run function. main.c looks the command up, the
 * declarative parser (opt.c) fills the command's option struct from the table, and doc.c
 * renders the same table as --help text and as a man page (mangen.c), so the three cannot
 * drift apart.
 *
 * Every subcommand goes through the public API only (hftipc.h).
 */
#ifndef HFTIPC_CLI_H
#define HFTIPC_CLI_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hftipc.h"

/* Exit statuses, the same for every subcommand (see the EXIT STATUS section of hftipc(1)). */
#define EXIT_OK      0
#define EXIT_FAIL    1
#define EXIT_USAGE   2
#define EXIT_VERSION 3

/* Longest accepted duration, in seconds: about 31 years, far inside a time_t. */
#define CLI_MAX_SECONDS 1e9

/* ---- Option tables ------------------------------------------------------------------------- */

typedef enum cli_opt_type {
    CLI_FLAG,    /* no value; stores 1 in an int */
    CLI_SET,     /* no value; stores .value in an int (e.g. --hex and --text share one field) */
    CLI_UINT,    /* decimal digits only, in [.min, .max], optionally a power of two or a multiple
                    of .multiple; into a uint64_t */
    CLI_SECONDS, /* non-negative decimal seconds such as 2 or 0.5, at least .min_seconds, at most
                    CLI_MAX_SECONDS; into a double */
    CLI_OCTAL,   /* octal digits, at most .max; into a uint32_t */
    CLI_CHOICE,  /* one of .choices; stores the matching value in an int */
    CLI_STRING,  /* any string; into a const char * */
} cli_opt_type_t;

typedef struct cli_choice {
    const char *name;
    int value;
} cli_choice_t;

typedef struct cli_opt {
    const char *name; /* "--capacity" */
    char short_name;  /* 'c' for "-c", or 0 */
    const char *arg;  /* placeholder of the value in help ("N"); NULL for CLI_FLAG/CLI_SET */
    cli_opt_type_t type;
    size_t offset;               /* of the destination in the command's option struct (CLI_*_AT) */
    int value;                   /* CLI_SET: the value stored */
    uint64_t min, max;           /* CLI_UINT: inclusive bounds (max 0: no bound); CLI_OCTAL: max */
    int pow2;                    /* CLI_UINT: must be a power of two */
    uint64_t multiple;           /* CLI_UINT: must be a multiple of this (0: any) */
    double min_seconds;          /* CLI_SECONDS */
    const cli_choice_t *choices; /* CLI_CHOICE: terminated by {NULL, 0} */
    const char *invalid;         /* why a value is rejected; NULL: the type's standard text */
    const char *range;           /* CLI_SECONDS: why an in-syntax value is out of range */
    const char *help;            /* '\n'-separated lines, as --help prints them */
} cli_opt_t;

/*
 * The type and destination of an option, as one designated-initialiser pair: the field must
 * have the C type the option type stores into (a field of another type has no _Generic
 * association and fails to compile), so a table cannot write a double into an int.
 */
#define CLI_AT(T, F, CT)     _Generic(((T *)0)->F, CT : offsetof(T, F))
#define CLI_FLAG_AT(T, F)    .type = CLI_FLAG, .offset = CLI_AT(T, F, int)
#define CLI_SET_AT(T, F)     .type = CLI_SET, .offset = CLI_AT(T, F, int)
#define CLI_UINT_AT(T, F)    .type = CLI_UINT, .offset = CLI_AT(T, F, uint64_t)
#define CLI_SECONDS_AT(T, F) .type = CLI_SECONDS, .offset = CLI_AT(T, F, double)
#define CLI_OCTAL_AT(T, F)   .type = CLI_OCTAL, .offset = CLI_AT(T, F, uint32_t)
#define CLI_CHOICE_AT(T, F)  .type = CLI_CHOICE, .offset = CLI_AT(T, F, int)
#define CLI_STRING_AT(T, F)  .type = CLI_STRING, .offset = CLI_AT(T, F, const char *)

/* Positional arguments without an upper bound. */
#define CLI_MANY (-1)

/* ---- Commands ------------------------------------------------------------------------------ */

typedef struct cli_command {
    const char *name;        /* "create" */
    const char *summary;     /* one line: the NAME section and the COMMANDS list of hftipc(1) */
    const char *list_args;   /* arguments shown in the COMMANDS list: "PATH", "PATH..." */
    const char *synopsis;    /* lines after "    ", continuation lines carry their indent */
    const char *description; /* lines; a more indented line is shown as it is (literal) */
    const char *exit_status;
    const char *examples;
    const cli_opt_t *opts;    /* terminated by an entry with a NULL name; NULL: no options */
    const char *arg_name;     /* "PATH": named in "missing PATH" */
    int min_args, max_args;   /* positional arguments; max CLI_MANY for no bound */
    size_t opts_size;         /* sizeof the option struct that opts point into */
    void (*init)(void *opts); /* defaults; NULL: all zero */
    /* Takes argv unparsed (bench passes it on); opts and the arg checks are not used. */
    int raw;
    /* The work: opts is the filled option struct, argv[0..argc) the positional arguments. */
    int (*run)(void *opts, int argc, char **argv);
} cli_command_t;

/* The command table, in the order of the COMMANDS list (commands.c). */
extern const cli_command_t *const cli_commands[];
extern const size_t cli_command_count;

/* The command called `name`, or NULL. */
const cli_command_t *cli_command_find(const char *name);

/* hftipc itself, for its help and man page only: its name is NULL, its options are parsed by
 * main() (commands.c). */
extern const cli_command_t cli_main;

/* ---- Parsing (opt.c) ----------------------------------------------------------------------- */

/* Returned by cli_parse when it printed the help: the caller exits with EXIT_OK. */
#define CLI_HELP_SHOWN (-1)

/*
 * Parses argv[0..argc) against cmd->opts into `opts` (already holding the defaults) and moves
 * the positional arguments, in order, to the front of argv; *npos is their number. Options may
 * come before or after positional arguments, "--name VALUE" and "--name=VALUE" are the same,
 * "--" ends the options, "-h"/"--help" prints the help. Arguments are handled in order, so the
 * first problem is the one reported.
 * Returns EXIT_OK, CLI_HELP_SHOWN, or EXIT_USAGE after printing the problem.
 */
int cli_parse(const cli_command_t *cmd, int argc, char **argv, void *opts, int *npos);

int cli_is_help(const char *arg);

/* ---- Documentation (doc.c) ----------------------------------------------------------------- */

/* --help text of a command (NULL: of hftipc itself) to `f`. */
void cli_help(FILE *f, const cli_command_t *cmd);
/* The man page, in roff, of a command (NULL: hftipc(1)) to `f`. */
void cli_man(FILE *f, const cli_command_t *cmd);

/* ---- The operating system (os.c, the only file with OS calls) ----------------------------- */

/* Set by SIGINT/SIGTERM: loops stop at the next check and close their handle, releasing the
 * role in the file instead of leaving it to be taken over from a dead holder. */
extern volatile sig_atomic_t cli_stop;
/* Signal handlers; on Windows also standard output in binary mode (payloads byte for byte). */
void cli_install_signals(void);
/* SIGINT/SIGTERM also stop this watch (NULL: none); clear it before closing the watch. */
void cli_stop_watch_on_signal(hftipc_watch_t *w);
/* unlink(): 0, or -1 with errno. */
int cli_unlink(const char *path);
int cli_stdout_is_terminal(void);
/* getline(): the line's length with its '\n', or -1 at the end or on an error (errno). */
int64_t cli_getline(char **line, size_t *cap, FILE *f);
/* The directory of the running executable into buf: 0, or -1 when unknown. */
int cli_self_dir(char *buf, size_t len);
int cli_is_executable(const char *path);
/* Runs the program at `path` (cli_exec) or found in PATH (cli_exec_in_path) with `args`
 * (args[0] its name, NULL-terminated) in place of this one: returns only on failure (-1,
 * errno). On Windows it runs as a child, and this process exits with its status. */
int cli_exec(const char *path, char **args);
int cli_exec_in_path(const char *name, char **args);
/* What executables' names end with. */
#if defined(_WIN32)
#define CLI_EXE_SUFFIX ".exe"
#else
#define CLI_EXE_SUFFIX ""
#endif

/* ---- Messages and statuses (common.c) ------------------------------------------------------ */

/* printf-style checking of the format the C library in use reads (mingw's C99 stdio on
 * Windows, cmake/toolchain-mingw.cmake, which knows %zu as msvcrt's does not). */
#if defined(__MINGW_PRINTF_FORMAT)
#define CLI_PRINTF(f, a) __attribute__((format(__MINGW_PRINTF_FORMAT, f, a)))
#else
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif

void errmsg(const char *fmt, ...) CLI_PRINTF(1, 2);
/* Prints "hftipc CMD: ..." and the --help hint; returns EXIT_USAGE. cmd may be NULL. */
int usage_error(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Exit status for a library status: 3 for "needs a newer library", 1 for anything else. */
int exit_for(int rc);
void version_string(uint32_t v, char *buf, size_t len);
/* The reason for a bad status, with both versions for a format mismatch and errno for a system
 * error. `info` may be NULL. */
void describe(int rc, const hftipc_info_t *info, int sys_errno, char *buf, size_t len);
/* "hftipc: PATH: reason [HFTIPC_ESTATUS]" on stderr. */
void report(const char *path, int rc, const hftipc_info_t *info, int sys_errno);

/* ---- Time ---------------------------------------------------------------------------------- */

double now_mono(void);
void sleep_seconds(double s);
/* Backoff while a channel is empty or full: 1 ms, doubling to 50 ms; reset on progress. */
double backoff_next(double cur);
/* ns since the epoch as "2026-11-30T09:15:18.760Z"; "unknown" for 0. */
void iso8601(uint64_t ns, char *buf, size_t len);
/* The wall clock now in ns since the epoch. */
uint64_t now_real_ns(void);

/* ---- Channels ------------------------------------------------------------------------------ */

const char *liveness_name(uint32_t l);
const char *mode_name(uint32_t m);
/* A role holder as "PID/liveness", or "none". */
void format_peer(char *buf, size_t len, uint32_t pid, uint32_t live);
/* hftipc_inspect plus the errno of an HFTIPC_ESYSTEM failure. */
int inspect_path(const char *path, hftipc_info_t *info, int *sys_errno);
/* Whether decoded fields are worth showing: the magic matched and the header was read. */
int has_fields(int rc);
/* Opens `path` for `role`, reporting a failure; returns an exit status. */
int open_role(const char *path, hftipc_role_t role, hftipc_channel_t **ch);

/* ---- Output -------------------------------------------------------------------------------- */

/* A JSON string; bytes that are not valid UTF-8 become U+FFFD. */
void json_string(FILE *f, const char *s);
/* `s` with backslashes doubled and every byte that is neither printable ASCII nor part of a
 * printable UTF-8 character as \xHH; `len` at least 4 bytes per byte of `s`, plus one. */
void text_escape(char *buf, size_t len, const char *s);
/*
 * The members of a channel's JSON object, from "path" to the last key, without the braces:
 * rc and `in` as inspect_path() left them, `reason` the describe() text (json.c).
 */
void json_info(FILE *f, const char *path, int rc, const hftipc_info_t *in, const char *reason);

enum print_mode { PRINT_RAW, PRINT_TEXT, PRINT_HEX };
void print_message(FILE *f, const unsigned char *p, size_t len, enum print_mode mode);
/* 1 after reporting a failed write to stdout, else 0. */
int output_failed(void);

#endif
