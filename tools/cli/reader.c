/* The read loop of tail and recv: they differ only in the role and in how a message is taken. */
#include <errno.h>
#include <stdlib.h>

#include "cli.h"
#include "reader.h"

/*
 * Whether a reader idle since `idle_since` has timed out: -1 not (or no timeout), else the
 * exit status: EXIT_OK when no --count was asked, EXIT_FAIL (after saying so) when it was.
 */
static int timed_out(const reader_ops_t *ops, const reader_opts_t *r, const char *path,
                     double idle_since, uint64_t got)
{
    if (r->timeout < 0 || now_mono() - idle_since < r->timeout)
        return -1;
    if (r->count > 0) {
        errmsg("%s: %s: timed out after %g s without a message (%llu of %llu received)", path,
               ops->cmd, r->timeout, (unsigned long long)got, (unsigned long long)r->count);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static int loop(const reader_ops_t *ops, const reader_opts_t *r, const char *path,
                hftipc_channel_t *ch, unsigned char *buf, size_t cap)
{
    uint64_t got = 0;
    double idle_since = now_mono(), nap = 0.001;
    int rc;
    while (!cli_stop && (r->count == 0 || got < r->count)) {
        const void *msg = NULL;
        int64_t n = ops->fetch(ch, buf, cap, &msg);
        if (n >= 0) {
            print_message(stdout, msg, (size_t)n, (enum print_mode)r->mode);
            if (output_failed())
                return EXIT_FAIL;
            if (ops->done != NULL && (rc = ops->done(ch)) != HFTIPC_OK) {
                report(path, rc, NULL, errno);
                return EXIT_FAIL;
            }
            got++;
            idle_since = now_mono();
            nap = 0.001;
        } else if (n == HFTIPC_ELAPPED) {
            /* Only an observer is overtaken: the consumer freed slots it had not read yet. */
            fprintf(stderr,
                    "hftipc: %s: %s was overtaken by the producer; messages were skipped, "
                    "continuing with the oldest unconsumed one [%s]\n",
                    path, ops->cmd, hftipc_err_name((int)n));
        } else if (n == HFTIPC_EEMPTY) {
            if ((rc = timed_out(ops, r, path, idle_since, got)) >= 0)
                return rc;
            sleep_seconds(nap);
            nap = backoff_next(nap);
        } else {
            report(path, (int)n, NULL, errno);
            if (n == HFTIPC_ECORRUPT && ops->done != NULL)
                fprintf(stderr, "hftipc: %s: the corrupt message was left in the channel\n", path);
            return EXIT_FAIL;
        }
    }
    return EXIT_OK;
}

int reader_run(const reader_ops_t *ops, const reader_opts_t *r, const char *path)
{
    hftipc_channel_t *ch = NULL;
    int rc = open_role(path, ops->role, &ch);
    if (rc != EXIT_OK)
        return rc;
    size_t cap = hftipc_channel_max_payload(ch);
    unsigned char *buf = malloc(cap > 0 ? cap : 1);
    if (buf == NULL) {
        hftipc_channel_close(ch);
        errmsg("out of memory");
        return EXIT_FAIL;
    }
    rc = loop(ops, r, path, ch, buf, cap);
    free(buf);
    hftipc_channel_close(ch);
    return rc;
}
