/*
 * The one option parser of every subcommand, driven by the command's table of cli_opt_t.
 *
 * No GNU getopt_long, so the behaviour is the same on every libc: options before or after the
 * positional arguments, "--name VALUE" and "--name=VALUE", "--" ends the options, a lone "-"
 * is a positional argument. Numbers are parsed strictly (digits only: no sign, spaces,
 * exponents or trailing bytes) and range-checked, and a rejected value is a usage error that
 * names the option and what it accepts.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* A decimal unsigned integer, nothing else: no sign, no spaces, no trailing bytes, no overflow. */
static int parse_u64(const char *s, uint64_t *out)
{
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *out = (uint64_t)v;
    return 0;
}

/* A non-negative decimal number of seconds such as 2, 0.5 or 1.25; at most CLI_MAX_SECONDS. */
static int parse_seconds(const char *s, double *out)
{
    if (s == NULL || !((*s >= '0' && *s <= '9') || *s == '.'))
        return -1;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.'))
            return -1; /* no exponents, hex floats, inf or nan */
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0 || v > CLI_MAX_SECONDS)
        return -1;
    *out = v;
    return 0;
}

/* Octal digits, no more than `max` has plus one (a leading 0), and at most `max`. */
static int parse_octal(const char *s, uint64_t max, uint32_t *out)
{
    size_t digits = 1;
    for (uint64_t m = max; m > 7; m >>= 3)
        digits++;
    size_t n = strlen(s);
    if (n == 0 || n > digits + 1 || strspn(s, "01234567") != n)
        return -1;
    unsigned long v = strtoul(s, NULL, 8);
    if (v > max)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int bad_value(const cli_command_t *cmd, const cli_opt_t *o, const char *value,
                     const char *why)
{
    return usage_error(cmd->name, "invalid value '%s' for %s: %s", value, o->name, why);
}

/* Stores `value` for option `o` in `opts`; EXIT_OK or EXIT_USAGE after printing why. */
static int store(const cli_command_t *cmd, const cli_opt_t *o, const char *value, void *opts)
{
    char *dest = (char *)opts + o->offset;
    switch (o->type) {
    case CLI_FLAG:
        *(int *)(void *)dest = 1;
        return EXIT_OK;
    case CLI_SET:
        *(int *)(void *)dest = o->value;
        return EXIT_OK;
    case CLI_UINT: {
        uint64_t v;
        if (parse_u64(value, &v) != 0 || v < o->min || (o->max != 0 && v > o->max) ||
            (o->pow2 && (v & (v - 1)) != 0) || (o->multiple != 0 && v % o->multiple != 0))
            return bad_value(cmd, o, value,
                             o->invalid ? o->invalid : "expected a non-negative integer");
        *(uint64_t *)(void *)dest = v;
        return EXIT_OK;
    }
    case CLI_SECONDS: {
        double v;
        if (parse_seconds(value, &v) != 0)
            return bad_value(cmd, o, value,
                             o->invalid ? o->invalid
                                        : "expected a non-negative number of seconds (e.g. 2 "
                                          "or 0.5)");
        if (v < o->min_seconds)
            return bad_value(cmd, o, value, o->range ? o->range : "too small");
        *(double *)(void *)dest = v;
        return EXIT_OK;
    }
    case CLI_OCTAL:
        if (parse_octal(value, o->max, (uint32_t *)(void *)dest) != 0)
            return bad_value(cmd, o, value, o->invalid ? o->invalid : "expected an octal number");
        return EXIT_OK;
    case CLI_CHOICE:
        for (const cli_choice_t *c = o->choices; c->name != NULL; c++) {
            if (strcmp(c->name, value) == 0) {
                *(int *)(void *)dest = c->value;
                return EXIT_OK;
            }
        }
        return bad_value(cmd, o, value, o->invalid ? o->invalid : "not one of the choices");
    case CLI_STRING:
        *(const char **)(void *)dest = value;
        return EXIT_OK;
    }
    return EXIT_USAGE; /* not reached: every type is handled above */
}

/*
 * The option that argv[*i] names, with its value (moving *i past a separate value), or NULL
 * with *rc EXIT_USAGE after a message, or NULL with *rc EXIT_OK if it names no option.
 */
static const cli_opt_t *match(const cli_command_t *cmd, int argc, char **argv, int *i,
                              const char **value, int *rc)
{
    const char *arg = argv[*i];
    *rc = EXIT_OK;
    for (const cli_opt_t *o = cmd->opts; o != NULL && o->name != NULL; o++) {
        int takes = o->type != CLI_FLAG && o->type != CLI_SET;
        size_t n = strlen(o->name);
        const char *shown = o->name;
        if (o->short_name != 0 && arg[1] == o->short_name && arg[2] == '\0') {
            n = 2;
            shown = arg;
        } else if (strncmp(arg, o->name, n) != 0 || (arg[n] != '\0' && arg[n] != '=')) {
            continue;
        }
        if (arg[n] == '=') {
            if (!takes) {
                *rc = usage_error(cmd->name, "option '%s' takes no value", shown);
                return NULL;
            }
            *value = arg + n + 1;
        } else if (takes) {
            if (*i + 1 >= argc) {
                *rc = usage_error(cmd->name, "option '%s' needs a value", shown);
                return NULL;
            }
            *value = argv[++*i];
        } else {
            *value = NULL;
        }
        return o;
    }
    return NULL;
}

int cli_parse(const cli_command_t *cmd, int argc, char **argv, void *opts, int *npos)
{
    int n = 0, only_positional = 0, rc;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (only_positional || arg[0] != '-' || arg[1] == '\0') {
            if (cmd->max_args != CLI_MANY && n >= cmd->max_args)
                return usage_error(cmd->name, "unexpected argument '%s'", arg);
            argv[n++] = argv[i]; /* n <= i: only slots already read are written */
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_positional = 1;
            continue;
        }
        if (cli_is_help(arg)) {
            cli_help(stdout, cmd);
            return CLI_HELP_SHOWN;
        }
        const char *value = NULL;
        const cli_opt_t *o = match(cmd, argc, argv, &i, &value, &rc);
        if (o == NULL) {
            if (rc != EXIT_OK)
                return rc;
            return usage_error(cmd->name, "unknown option '%s'", arg);
        }
        if ((rc = store(cmd, o, value, opts)) != EXIT_OK)
            return rc;
    }
    if (n < cmd->min_args)
        return usage_error(cmd->name, "missing %s", cmd->arg_name);
    *npos = n;
    return EXIT_OK;
}
