/* hftipc create: make a new channel file. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <string.h>

#include "cli.h"
#include "geometry.h"

typedef struct create_opts {
    uint64_t capacity, slot_size; /* slot_size 0: not given */
    uint64_t max_payload;         /* CLI_MAX_PAYLOAD_UNSET: not given */
    int mode;
    uint32_t file_mode;
    int force;
} create_opts_t;

static void init(void *p)
{
    create_opts_t *o = p;
    hftipc_options_t d;
    hftipc_options_init(&d);
    o->capacity = d.capacity;
    o->max_payload = CLI_MAX_PAYLOAD_UNSET;
    o->mode = (int)d.mode;
    o->file_mode = d.file_mode;
}

static const cli_choice_t modes[] = {
    {"spsc", HFTIPC_MODE_SPSC},
    {"mpsc", HFTIPC_MODE_MPSC},
    {NULL, 0},
};

static const cli_opt_t opts[] = {
    CLI_OPT_CAPACITY(create_opts_t, capacity,
                     "number of slots: a power of two from 1 to "
                     "1073741824\n(default 1024)"),
    CLI_OPT_SLOT_SIZE(create_opts_t, slot_size,
                      "bytes per slot including its 8-byte header: a multiple of 8\n"
                      "from 16 to 67108864 (default 512, i.e. 504-byte messages)"),
    CLI_OPT_MAX_PAYLOAD(create_opts_t, max_payload,
                        "size the slots for messages of up to BYTES instead of giving\n"
                        "--slot-size: the library picks the slot size so that no two\n"
                        "slots share a 64-byte cache line (a power of two up to 64\n"
                        "bytes, a multiple of 64 above: 64 -> 128-byte slots); see\n"
                        "hftipc_slot_size_for(3)"),
    {.name = "--mode",
     .arg = "MODE",
     CLI_CHOICE_AT(create_opts_t, mode),
     .choices = modes,
     .invalid = "expected spsc or mpsc",
     .help = "spsc (one producer, one consumer; the default) or mpsc (up to\n"
             "16 producer processes, one consumer)"},
    {.name = "--file-mode",
     .arg = "OCTAL",
     CLI_OCTAL_AT(create_opts_t, file_mode),
     .max = 07777,
     .invalid = "expected octal permission bits, e.g. 0640",
     .help = "permission bits of the file, e.g. 0660 (default 0600; the\n"
             "umask is not applied); read and write bits only, within\n"
             "0666: execute, setuid, setgid and sticky bits are refused"},
    {.name = "--force",
     CLI_FLAG_AT(create_opts_t, force),
     .help = "replace PATH if it exists (it is unlinked first: processes\n"
             "that have the old file open keep using the old file)"},
    {0},
};

static int run(void *p, int argc, char **argv)
{
    const create_opts_t *o = p;
    const char *path = argv[0];
    (void)argc;
    hftipc_options_t ho;
    hftipc_options_init(&ho);
    ho.capacity = (uint32_t)o->capacity; /* both range-checked by the option table */
    ho.mode = (uint32_t)o->mode;
    ho.file_mode = o->file_mode;
    int rc = geometry_slot_size("create", o->slot_size, o->max_payload, &ho.slot_size);
    if (rc != EXIT_OK)
        return rc;
    if (o->file_mode & ~0666u) /* peers write the file through a mapping: never a program */
        return usage_error("create",
                           "invalid value '%04o' for --file-mode: only read and write bits "
                           "(within 0666) are allowed: an execute, setuid, setgid or sticky bit "
                           "is refused",
                           (unsigned)o->file_mode);
    rc = geometry_check("create", &ho);
    if (rc != EXIT_OK)
        return rc;
    if (o->force && cli_unlink(path) != 0 && errno != ENOENT) {
        errmsg("%s: cannot remove the existing file: %s", path, strerror(errno));
        return EXIT_FAIL;
    }
    hftipc_channel_t *ch = NULL;
    /* Created as an observer: the file is made and mapped, but no role is recorded in it. */
    rc = hftipc_channel_create(path, &ho, HFTIPC_ROLE_OBSERVER, &ch);
    int e = errno;
    if (rc != HFTIPC_OK) {
        report(path, rc, NULL, e);
        if (rc == HFTIPC_EEXIST)
            fprintf(stderr, "hftipc: use --force to replace it\n");
        return exit_for(rc);
    }
    hftipc_channel_close(ch);
    return EXIT_OK;
}

const cli_command_t cli_cmd_create = {
    .name = "create",
    .summary = "create a new channel file",
    .list_args = "PATH",
    .synopsis = "hftipc create PATH [--capacity N] [--slot-size BYTES | --max-payload BYTES]\n"
                "              [--mode spsc|mpsc] [--file-mode OCTAL] [--force]\n",
    .description =
        "Creates the channel file PATH, fully initialised and sized, and exits without\n"
        "holding any role. The directory must exist. The file appears at PATH only once it\n"
        "is complete, so a process opening it concurrently never sees half a header.\n"
        "The file size is 4096 + capacity x slot size bytes, allocated up front.\n",
    .opts = opts,
    .exit_status = "0 created; 1 creation failed (e.g. PATH exists [HFTIPC_EEXIST], no directory,\n"
                   "no space); 2 usage error (bad geometry, unknown option).\n",
    .examples = "hftipc create /dev/shm/quotes\n"
                "hftipc create /dev/shm/quotes --capacity 65536 --slot-size 128 --force\n"
                "hftipc create /dev/shm/ticks --capacity 65536 --max-payload 64\n",
    .arg_name = "PATH",
    .min_args = 1,
    .max_args = 1,
    .opts_size = sizeof(create_opts_t),
    .init = init,
    .run = run,
};
