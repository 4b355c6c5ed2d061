/* hftipc inspect: the state of one channel file, as text or JSON; never modifies it. */
#include <string.h>

#include "cli.h"

typedef struct inspect_opts {
    int json;
} inspect_opts_t;

static const cli_opt_t opts[] = {
    {.name = "--json",
     CLI_FLAG_AT(inspect_opts_t, json),
     .help = "print one JSON object instead (keys are listed in docs/CLI.md\n"
             "and are stable; 64-bit counters are plain JSON integers)"},
    {0},
};

static void print_role(const char *name, uint32_t pid, uint32_t live, uint64_t epoch,
                       uint64_t takeovers)
{
    if (live == HFTIPC_PEER_NONE)
        printf("%-15s none (epoch %llu, takeovers %llu)\n", name, (unsigned long long)epoch,
               (unsigned long long)takeovers);
    else
        printf("%-15s pid %u, %s (epoch %llu, takeovers %llu)\n", name, pid, liveness_name(live),
               (unsigned long long)epoch, (unsigned long long)takeovers);
}

static void inspect_text(const char *path, int rc, const hftipc_info_t *in)
{
    char created[64], cver[32];
    iso8601(in->created_ns, created, sizeof created);
    version_string(in->creator_version, cver, sizeof cver);
    printf("%-15s %s\n", "path:", path);
    printf("%-15s %s\n", "status:",
           rc == HFTIPC_OK ? "ok"
                           : "INVALID (fields below are as decoded before the failing check)");
    printf("%-15s %u.%u (this library, hftipc %s, reads and writes %d.x)\n",
           "format:", in->format_major, in->format_minor, hftipc_version_string(),
           HFTIPC_FORMAT_MAJOR);
    printf("%-15s compat 0x%llx, incompat 0x%llx\n", "flags:", (unsigned long long)in->compat_flags,
           (unsigned long long)in->incompat_flags);
    printf("%-15s %s\n", "mode:", mode_name(in->mode));
    printf("%-15s capacity %u slots, slot size %u bytes, file size %llu bytes\n",
           "geometry:", in->capacity, in->slot_size, (unsigned long long)in->file_size);
    printf("%-15s %u bytes\n", "max payload:", in->max_payload);
    printf("%-15s %llu (messages published)\n", "head:", (unsigned long long)in->head);
    printf("%-15s %llu (messages consumed)\n", "tail:", (unsigned long long)in->tail);
    printf("%-15s %llu\n", "backlog:", (unsigned long long)in->backlog);
    printf("%-15s %llu (sends refused because the ring was full)\n",
           "full count:", (unsigned long long)in->full_count);
    printf("%-15s %s\n", "created:", created);
    printf("%-15s pid %u, hftipc %s\n", "creator:", in->creator_pid, cver);
    print_role("producer:", in->producer_pid, in->producer_liveness, in->producer_epoch,
               in->producer_takeovers);
    print_role("consumer:", in->consumer_pid, in->consumer_liveness, in->consumer_epoch,
               in->consumer_takeovers);
    if (in->mode == HFTIPC_MODE_MPSC)
        printf("%-15s %u producers hold the role; %llu claimed slots abandoned by dead "
               "producers\n",
               "mpsc:", in->producer_count, (unsigned long long)in->abandoned_count);
    printf("%-15s %u producer(s), consumer %s\n", "sleeping:", in->producer_waiting,
           in->consumer_waiting ? "yes" : "no");
}

static int run(void *p, int argc, char **argv)
{
    const inspect_opts_t *o = p;
    const char *path = argv[0];
    (void)argc;
    hftipc_info_t info;
    int e;
    int rc = inspect_path(path, &info, &e);
    char reason[512];
    describe(rc, &info, e, reason, sizeof reason);
    if (o->json) {
        fputc('{', stdout);
        json_info(stdout, path, rc, &info, reason);
        fputs("}\n", stdout);
    } else if (has_fields(rc)) {
        inspect_text(path, rc, &info);
    }
    if (rc != HFTIPC_OK)
        report(path, rc, &info, e);
    return exit_for(rc);
}

const cli_command_t cli_cmd_inspect = {
    .name = "inspect",
    .summary = "show the header, cursors and role holders of a channel file",
    .list_args = "PATH",
    .synopsis = "hftipc inspect PATH [--json]\n",
    .description =
        "Reads and validates the channel file without taking a role or modifying it, and\n"
        "prints the format version, flags, geometry, maximum payload, cursors (head =\n"
        "messages published, tail = messages consumed), backlog, full count (sends refused\n"
        "because the ring was full), creation time (UTC), creator pid and library version,\n"
        "and for each role the holder's pid, liveness (none, alive, dead, unknown), epoch\n"
        "and takeovers. For an invalid file it prints what could be decoded before the\n"
        "failing check, then the reason, and exits non-zero.\n",
    .opts = opts,
    .exit_status =
        "0 valid channel; 1 invalid or unreadable file; 2 usage error; 3 the file needs a\n"
        "newer library.\n",
    .examples = "hftipc inspect /dev/shm/quotes\n"
                "hftipc inspect /dev/shm/quotes --json | python3 -m json.tool\n",
    .arg_name = "PATH",
    .min_args = 1,
    .max_args = 1,
    .opts_size = sizeof(inspect_opts_t),
    .run = run,
};
