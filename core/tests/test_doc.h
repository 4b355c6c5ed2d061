/*
 * The statuses each public function documents, read from the @return lists of hftipc.h at run
 * time, and a recorder that checks every status a test sees against them (issue 11, finding 9).
 *
 * What a @return paragraph may say, and how it is read:
 *   HFTIPC_EFULL                      that status;
 *   HFTIPC_ETRUNCATED ... HFTIPC_ENOTREADY   every status between the two, by value;
 *   as hftipc_channel_open()          every status that function documents;
 *   HFTIPC_ETIMEDOUT instead of HFTIPC_EFULL  the first, and never the second (a blocking
 *                                     variant that waits where the other returns).
 * Counts and lengths (>= 0) are always allowed. A name that looks like a status but is not in
 * the library's table fails the load.
 */
#ifndef HFTIPC_TEST_DOC_H
#define HFTIPC_TEST_DOC_H

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hftipc.h"

#define DOC_MAX_FUNCS 64
#define DOC_MAX_REFS  4

typedef struct doc_fn {
    char name[64];
    int returns_status;          /* the @return paragraph names at least one status */
    unsigned char allowed[64];   /* indexed by -status */
    unsigned char excluded[64];  /* "instead of" */
    char refs[DOC_MAX_REFS][64]; /* "as hftipc_x()" */
    int nrefs;
    int resolved;
} doc_fn;

static doc_fn doc_fns[DOC_MAX_FUNCS];
static int doc_nfns;

/* The value of status `name` (from the library's own table), or 1 when it is not one. */
static inline int doc_status_value(const char *name)
{
    for (int s = 0; s >= HFTIPC_STATUS_MIN; s--)
        if (strcmp(hftipc_err_name(s), name) == 0)
            return s;
    return 1;
}

static inline doc_fn *doc_find(const char *name)
{
    for (int i = 0; i < doc_nfns; i++)
        if (strcmp(doc_fns[i].name, name) == 0)
            return &doc_fns[i];
    return NULL;
}

/* Reads the identifier at `p` into `out`; returns its length. */
static inline size_t doc_ident(const char *p, char *out, size_t cap)
{
    size_t n = 0;
    while ((isalnum((unsigned char)p[n]) || p[n] == '_') && n + 1 < cap) {
        out[n] = p[n];
        n++;
    }
    out[n] = '\0';
    return n;
}

/* Parses one @return paragraph, already normalised to single spaces, into `f`. Returns 0, or
 * -1 with a message. */
static inline int doc_parse_return(doc_fn *f, const char *text)
{
    for (const char *p = text; *p != '\0';) {
        char id[64];
        int word_start = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
        if (word_start && strncmp(p, "HFTIPC_", 7) == 0) {
            size_t n = doc_ident(p, id, sizeof id);
            int v = doc_status_value(id);
            if (v == 1) {
                /* "HFTIPC_E?" is what hftipc_err_name() returns for an unknown status. */
                if ((n > 8 && strncmp(id, "HFTIPC_E", 8) == 0) || strcmp(id, "HFTIPC_OK") == 0) {
                    fprintf(stderr, "doc: %s documents an unknown status %s\n", f->name, id);
                    return -1;
                }
                p += n;
                continue;
            }
            f->returns_status = 1;
            if (p - text >= 11 && strncmp(p - 11, "instead of ", 11) == 0) {
                f->excluded[-v] = 1;
                p += n;
                continue;
            }
            if (strncmp(p + n, " ... ", 5) == 0) { /* a range, by value */
                char id2[64];
                size_t n2 = doc_ident(p + n + 5, id2, sizeof id2);
                int v2 = doc_status_value(id2);
                if (v2 == 1) {
                    fprintf(stderr, "doc: %s: bad range end '%s'\n", f->name, id2);
                    return -1;
                }
                for (int s = v < v2 ? v : v2; s <= (v < v2 ? v2 : v); s++)
                    f->allowed[-s] = 1;
                p += n + 5 + n2;
                continue;
            }
            f->allowed[-v] = 1;
            p += n;
            continue;
        }
        /* "as hftipc_a()" and "as hftipc_a() and hftipc_b()": the other function's list. */
        if (word_start && strncmp(p, "as hftipc_", 10) == 0) {
            p += 3;
            for (;;) {
                size_t n = doc_ident(p, id, sizeof id);
                if (strncmp(p + n, "()", 2) != 0 || f->nrefs == DOC_MAX_REFS)
                    break;
                snprintf(f->refs[f->nrefs++], sizeof f->refs[0], "%s", id);
                f->returns_status = 1;
                p += n + 2;
                if (strncmp(p, " and hftipc_", 12) != 0)
                    break;
                p += 5;
            }
            continue;
        }
        p++;
    }
    return 0;
}

static inline int doc_resolve(doc_fn *f, int depth)
{
    if (f->resolved)
        return 0;
    if (depth > 8) {
        fprintf(stderr, "doc: reference cycle at %s\n", f->name);
        return -1;
    }
    for (int i = 0; i < f->nrefs; i++) {
        doc_fn *r = doc_find(f->refs[i]);
        if (r == NULL) {
            fprintf(stderr, "doc: %s refers to undocumented %s()\n", f->name, f->refs[i]);
            return -1;
        }
        if (doc_resolve(r, depth + 1) != 0)
            return -1;
        for (int s = 0; s < 64; s++)
            f->allowed[s] |= r->allowed[s];
    }
    for (int s = 0; s < 64; s++)
        if (f->excluded[s])
            f->allowed[s] = 0;
    f->resolved = 1;
    return 0;
}

/* Copies [p, end) into `out` with every run of spaces, newlines and the comment's leading '*'
 * turned into one space. */
static inline void doc_normalise(const char *p, const char *end, char *out, size_t cap)
{
    size_t n = 0;
    int space = 0;
    for (; p < end && n + 2 < cap; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '*') {
            space = 1;
            continue;
        }
        if (space && n > 0)
            out[n++] = ' ';
        space = 0;
        out[n++] = *p;
    }
    out[n] = '\0';
}

/* Loads every documented public function of the header at `path`. Returns 0 or -1. */
static inline int doc_load(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        perror(path);
        return -1;
    }
    static char text[1 << 17];
    size_t len = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[len] = '\0';
    doc_nfns = 0;
    for (const char *c = strstr(text, "/**"); c != NULL; c = strstr(c, "/**")) {
        const char *end = strstr(c, "*/");
        if (end == NULL)
            break;
        const char *comment = c;
        c = end + 2;
        /* The declaration right after the comment: HFTIPC_API <type> <name>(...); */
        const char *decl = c;
        while (*decl == ' ' || *decl == '\n')
            decl++;
        const char *semi = strchr(decl, ';');
        if (strncmp(decl, "HFTIPC_API", 10) != 0 || semi == NULL)
            continue;
        const char *paren = memchr(decl, '(', (size_t)(semi - decl));
        if (paren == NULL)
            continue;
        const char *name = paren;
        while (name > decl && (isalnum((unsigned char)name[-1]) || name[-1] == '_'))
            name--;
        if (doc_nfns == DOC_MAX_FUNCS)
            return -1;
        doc_fn *f = &doc_fns[doc_nfns++];
        memset(f, 0, sizeof *f);
        snprintf(f->name, sizeof f->name, "%.*s", (int)(paren - name), name);
        const char *ret = NULL;
        for (const char *s = comment; s + 7 <= end; s++)
            if (strncmp(s, "@return", 7) == 0) {
                ret = s + 7;
                break;
            }
        if (ret == NULL)
            continue;
        const char *stop = ret;
        while (stop < end && *stop != '@')
            stop++;
        char para[4096];
        doc_normalise(ret, stop, para, sizeof para);
        if (doc_parse_return(f, para) != 0)
            return -1;
    }
    for (int i = 0; i < doc_nfns; i++)
        if (doc_resolve(&doc_fns[i], 0) != 0)
            return -1;
    return doc_nfns > 0 ? 0 : -1;
}

/* ---- The recorder ---- */

#define DOC_MAX_VIOLATIONS 256

static char doc_violations[DOC_MAX_VIOLATIONS][256];
static int doc_nviolations;
static unsigned char doc_seen[DOC_MAX_FUNCS][64]; /* statuses each function was seen to return */
static unsigned long doc_calls;

/* Records that `fn` returned `status` in `scenario`; a status its documentation does not list
 * is a violation (kept once per function and status). Returns the status. */
static inline int64_t doc_record(const char *fn, int64_t status, const char *scenario, int line)
{
    doc_calls++;
    doc_fn *f = doc_find(fn);
    if (f == NULL) {
        snprintf(doc_violations[doc_nviolations < DOC_MAX_VIOLATIONS ? doc_nviolations++ : 0],
                 sizeof doc_violations[0], "%s is not documented in the header", fn);
        return status;
    }
    if (status >= 0)
        return status;
    int idx = (int)(f - doc_fns);
    if (status < HFTIPC_STATUS_MIN || !f->allowed[-status]) {
        int code = status < HFTIPC_STATUS_MIN ? 63 : (int)-status;
        if (!doc_seen[idx][code] && doc_nviolations < DOC_MAX_VIOLATIONS)
            snprintf(doc_violations[doc_nviolations++], sizeof doc_violations[0],
                     "%s returned %s (%lld), which its @return list does not document "
                     "(scenario: %s, line %d)",
                     fn, hftipc_err_name(status), (long long)status, scenario, line);
        doc_seen[idx][code] = 1;
        return status;
    }
    doc_seen[idx][-status] = 1;
    return status;
}

/* Prints what was seen and every violation; returns the number of violations. */
static inline int doc_report(FILE *out, int verbose)
{
    if (verbose) {
        for (int i = 0; i < doc_nfns; i++) {
            if (!doc_fns[i].returns_status)
                continue;
            fprintf(out, "  %-36s", doc_fns[i].name);
            for (int s = 1; s < 64; s++)
                if (doc_seen[i][s])
                    fprintf(out, " %s", s == 63 ? "(unknown)" : hftipc_err_name(-s) + 7);
            fprintf(out, "\n");
        }
    }
    for (int i = 0; i < doc_nviolations; i++)
        fprintf(out, "UNDOCUMENTED: %s\n", doc_violations[i]);
    return doc_nviolations;
}

#endif
