/*
 * The documentation of a command, rendered from its cli_command_t: as --help text, and as a
 * roff man page for hftipc_mangen. Both walk the same fields in the same order (NAME,
 * SYNOPSIS, DESCRIPTION, COMMANDS, OPTIONS, EXIT STATUS, EXAMPLES, SEE ALSO), so a man page
 * says what --help says; tools/tests/man_test.sh checks it.
 */
#include <ctype.h>
#include <string.h>

#include "cli.h"

/* Column at which an option's help starts, counted from the option's label. */
#define OPT_COLUMN 20
/* The same for a command in the COMMANDS list of hftipc --help. */
#define CMD_COLUMN 16

/* ---- Shared -------------------------------------------------------------------------------- */

/* "--capacity N", "-c, --count N" */
static void opt_label(const cli_opt_t *o, char *buf, size_t len)
{
    char shrt[8] = "";
    if (o->short_name != 0)
        snprintf(shrt, sizeof shrt, "-%c, ", o->short_name);
    snprintf(buf, len, "%s%s%s%s", shrt, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

static void cmd_label(const cli_command_t *c, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s", c->name, c->list_args ? " " : "",
             c->list_args ? c->list_args : "");
}

/* One line of `text` at a time: the line is [*p, end). Returns 0 at the end of text. */
static int next_line(const char **p, const char **start, size_t *len)
{
    if (**p == '\0')
        return 0;
    const char *nl = strchr(*p, '\n');
    *start = *p;
    *len = nl ? (size_t)(nl - *p) : strlen(*p);
    *p = nl ? nl + 1 : *p + *len;
    return 1;
}

/* ---- --help -------------------------------------------------------------------------------- */

/* Each line of `text` indented by `indent` spaces; empty lines stay empty. */
static void text_block(FILE *f, const char *text, int indent)
{
    const char *p = text, *line;
    size_t len;
    while (next_line(&p, &line, &len)) {
        if (len > 0)
            fprintf(f, "%*s%.*s", indent, "", (int)len, line);
        fputc('\n', f);
    }
}

/* A label in a column, then `help`, continuation lines aligned under its first line. */
static void text_item(FILE *f, const char *label, int column, const char *help)
{
    int width = (int)strlen(label);
    fprintf(f, "    %s", label);
    if (width >= column - 1) {
        fputc('\n', f);
        width = -4; /* help on its own line, at the column */
    }
    const char *p = help, *line;
    size_t len;
    int first = 1;
    while (next_line(&p, &line, &len)) {
        fprintf(f, "%*s%.*s\n", first ? column - width : column + 4, "", (int)len, line);
        first = 0;
    }
}

/* hftipc(1) for a command; every command's page and the docs for hftipc itself. */
static void see_also_text(FILE *f, const cli_command_t *cmd)
{
    fputs("\nSEE ALSO\n", f);
    if (cmd->name != NULL) {
        fputs("    hftipc(1), docs/CLI.md\n", f);
        return;
    }
    int col = 0;
    for (size_t k = 0; k < cli_command_count; k++) {
        char item[48];
        int w = snprintf(item, sizeof item, "hftipc-%s(1),", cli_commands[k]->name);
        if (col > 0 && col + 1 + w > 88) {
            fputc('\n', f);
            col = 0;
        }
        fprintf(f, "%s%s", col == 0 ? "    " : " ", item);
        col += (col == 0 ? 4 : 1) + w;
    }
    fputs("\n    docs/CLI.md, docs/FORMAT.md\n", f);
}

void cli_help(FILE *f, const cli_command_t *cmd)
{
    if (cmd == NULL)
        cmd = &cli_main;
    fprintf(f, "NAME\n    hftipc%s%s - %s\n", cmd->name ? " " : "", cmd->name ? cmd->name : "",
            cmd->summary);
    fputs("\nSYNOPSIS\n", f);
    text_block(f, cmd->synopsis, 4);
    fputs("\nDESCRIPTION\n", f);
    text_block(f, cmd->description, 4);
    if (cmd->name == NULL) {
        fputs("\nCOMMANDS\n", f);
        for (size_t k = 0; k < cli_command_count; k++) {
            char label[64];
            cmd_label(cli_commands[k], label, sizeof label);
            text_item(f, label, CMD_COLUMN, cli_commands[k]->summary);
        }
    }
    if (cmd->opts != NULL && cmd->opts[0].name != NULL) {
        fputs("\nOPTIONS\n", f);
        for (const cli_opt_t *o = cmd->opts; o->name != NULL; o++) {
            char label[64];
            opt_label(o, label, sizeof label);
            text_item(f, label, OPT_COLUMN, o->help);
        }
    }
    fputs("\nEXIT STATUS\n", f);
    text_block(f, cmd->exit_status, 4);
    fputs("\nEXAMPLES\n", f);
    text_block(f, cmd->examples, 4);
    see_also_text(f, cmd);
}

/* ---- man page ------------------------------------------------------------------------------ */

/*
 * Text in roff: backslashes become \e, a '.' or '\'' opening a line is protected with \&, and a
 * '-' that starts a word (an option: --count, -h, [--force]) becomes \- so that it renders as
 * the ASCII hyphen-minus a shell needs, while hyphens inside words stay hyphens.
 */
static void roff_text(FILE *f, const char *s, size_t len)
{
    if (len > 0 && (s[0] == '.' || s[0] == '\''))
        fputs("\\&", f);
    for (size_t k = 0; k < len; k++) {
        char c = s[k];
        if (c == '\\')
            fputs("\\e", f);
        else if (c == '-' && (k == 0 || !isalnum((unsigned char)s[k - 1])))
            fputs("\\-", f);
        else
            fputc(c, f);
    }
}

/* Each line of `text`, escaped; roff fills them into one paragraph. */
static void roff_lines(FILE *f, const char *text)
{
    const char *p = text, *line;
    size_t len;
    while (next_line(&p, &line, &len)) {
        roff_text(f, line, len);
        fputc('\n', f);
    }
}

/* Lines shown as they are (no filling): synopsis, exit status, examples. */
static void roff_literal(FILE *f, const char *text)
{
    fputs(".nf\n", f);
    roff_lines(f, text);
    fputs(".fi\n", f);
}

/* Filled paragraphs; an empty line starts a paragraph, indented lines are shown as they are. */
static void roff_paragraphs(FILE *f, const char *text)
{
    const char *p = text, *line;
    size_t len;
    int literal = 0;
    while (next_line(&p, &line, &len)) {
        int indented = len > 0 && line[0] == ' ';
        if (indented && !literal)
            fputs(".RS 4\n.nf\n", f);
        else if (!indented && literal)
            fputs(".fi\n.RE\n", f);
        literal = indented;
        if (len == 0) {
            fputs(".PP\n", f);
            continue;
        }
        if (indented) {
            while (len > 0 && *line == ' ') { /* .RS gives the indent */
                line++;
                len--;
            }
        }
        roff_text(f, line, len);
        fputc('\n', f);
    }
    if (literal)
        fputs(".fi\n.RE\n", f);
}

/* A .TP item: `pre` as it is, `bold` in bold, ` ITALIC` in italics if given, then the body. */
static void roff_item(FILE *f, const char *pre, const char *bold, const char *italic,
                      const char *body)
{
    fprintf(f, ".TP\n%s\\fB", pre);
    roff_text(f, bold, strlen(bold));
    fputs("\\fR", f);
    if (italic != NULL) {
        fputs(" \\fI", f);
        roff_text(f, italic, strlen(italic));
        fputs("\\fR", f);
    }
    fputc('\n', f);
    roff_lines(f, body);
}

static void roff_upper(FILE *f, const char *s)
{
    for (; *s; s++)
        fputc(toupper((unsigned char)*s), f);
}

void cli_man(FILE *f, const cli_command_t *cmd)
{
    if (cmd == NULL)
        cmd = &cli_main;
    const char *name = cmd->name;
    fputs(".\\\" Generated by hftipc_mangen from tools/cli/; edit the tables there, not this.\n",
          f);
    fputs(".TH HFTIPC", f);
    if (name != NULL) {
        fputc('-', f);
        roff_upper(f, name);
    }
    fprintf(f, " 1 \"\" \"hftipc %s\" \"hftipc manual\"\n", hftipc_version_string());
    /* No hyphenation, no line break after a '-' and a ragged right margin: option names,
     * paths and words such as memory-mapped stay whole, as in --help. */
    fputs(".nh\n.ad l\n.cflags 0 -\n", f);
    fprintf(f, ".SH NAME\nhftipc%s%s \\- ", name ? "\\-" : "", name ? name : "");
    roff_lines(f, cmd->summary);
    fputs(".SH SYNOPSIS\n", f);
    roff_literal(f, cmd->synopsis);
    fputs(".SH DESCRIPTION\n", f);
    roff_paragraphs(f, cmd->description);
    if (name == NULL) {
        fputs(".SH COMMANDS\n", f);
        for (size_t k = 0; k < cli_command_count; k++)
            roff_item(f, "", cli_commands[k]->name, cli_commands[k]->list_args,
                      cli_commands[k]->summary);
    }
    if (cmd->opts != NULL && cmd->opts[0].name != NULL) {
        fputs(".SH OPTIONS\n", f);
        for (const cli_opt_t *o = cmd->opts; o->name != NULL; o++) {
            char shrt[16] = "";
            if (o->short_name != 0)
                snprintf(shrt, sizeof shrt, "\\fB\\-%c\\fR, ", o->short_name);
            roff_item(f, shrt, o->name, o->arg, o->help);
        }
    }
    fputs(".SH EXIT STATUS\n", f);
    roff_literal(f, cmd->exit_status);
    fputs(".SH EXAMPLES\n", f);
    roff_literal(f, cmd->examples);
    fputs(".SH SEE ALSO\n", f);
    if (name != NULL) {
        fputs("\\fBhftipc\\fR(1), docs/CLI.md\n", f);
        return;
    }
    for (size_t k = 0; k < cli_command_count; k++)
        fprintf(f, "\\fBhftipc\\-%s\\fR(1),\n", cli_commands[k]->name);
    fputs(".br\ndocs/CLI.md, docs/FORMAT.md\n", f);
}
