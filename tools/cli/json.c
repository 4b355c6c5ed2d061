/*
 * The JSON form of a channel's state, shared by inspect --json and ls --json so that both
 * carry the same keys (docs/CLI.md lists them; later versions may add keys, never rename or
 * remove them).
 */
#include "cli.h"

static void json_role(FILE *f, const char *name, uint32_t pid, uint32_t live, uint64_t epoch,
                      uint64_t takeovers)
{
    fprintf(f, ",\"%s\":{\"pid\":%u,\"liveness\":\"%s\",\"epoch\":%llu,\"takeovers\":%llu}", name,
            pid, liveness_name(live), (unsigned long long)epoch, (unsigned long long)takeovers);
}

void json_info(FILE *f, const char *path, int rc, const hftipc_info_t *in, const char *reason)
{
    int fields = has_fields(rc);
    char created[64], cver[32];
    iso8601(in->created_ns, created, sizeof created);
    version_string(in->creator_version, cver, sizeof cver);
    fputs("\"path\":", f);
    json_string(f, path);
    fprintf(f, ",\"valid\":%s,\"status\":\"%s\",\"error\":", rc == HFTIPC_OK ? "true" : "false",
            hftipc_err_name(rc));
    if (rc == HFTIPC_OK)
        fputs("null", f);
    else
        json_string(f, reason);
    fprintf(f, ",\"readable\":%s,\"writable\":%s", rc == HFTIPC_OK ? "true" : "false",
            rc == HFTIPC_OK ? "true" : "false");
    fprintf(f, ",\"library_version\":\"%s\",\"library_format\":\"%d.%d\"", hftipc_version_string(),
            HFTIPC_FORMAT_MAJOR, HFTIPC_FORMAT_MINOR);
    if (!fields)
        return;
    fprintf(f,
            ",\"format\":\"%u.%u\",\"format_major\":%u,\"format_minor\":%u"
            ",\"compat_flags\":%llu,\"incompat_flags\":%llu,\"mode\":\"%s\""
            ",\"capacity\":%u,\"slot_size\":%u,\"max_payload\":%u,\"file_size\":%llu"
            ",\"head\":%llu,\"tail\":%llu,\"backlog\":%llu,\"full_count\":%llu"
            ",\"created_ns\":%llu,\"created\":",
            in->format_major, in->format_minor, in->format_major, in->format_minor,
            (unsigned long long)in->compat_flags, (unsigned long long)in->incompat_flags,
            mode_name(in->mode), in->capacity, in->slot_size, in->max_payload,
            (unsigned long long)in->file_size, (unsigned long long)in->head,
            (unsigned long long)in->tail, (unsigned long long)in->backlog,
            (unsigned long long)in->full_count, (unsigned long long)in->created_ns);
    if (in->created_ns == 0)
        fputs("null", f);
    else
        json_string(f, created);
    fprintf(f, ",\"creator_pid\":%u,\"creator_version\":\"%s\"", in->creator_pid, cver);
    json_role(f, "producer", in->producer_pid, in->producer_liveness, in->producer_epoch,
              in->producer_takeovers);
    json_role(f, "consumer", in->consumer_pid, in->consumer_liveness, in->consumer_epoch,
              in->consumer_takeovers);
    fprintf(f,
            ",\"producer_count\":%u,\"abandoned_count\":%llu,\"producers_waiting\":%u"
            ",\"consumer_waiting\":%u",
            in->producer_count, (unsigned long long)in->abandoned_count, in->producer_waiting,
            in->consumer_waiting);
}
