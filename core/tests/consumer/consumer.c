/* Built against the *installed* library, as C (consumer.c) and as C++ (consumer.cpp includes
 * this file): proves the header is self-contained, C++-clean and that the package files work. */
#include <hftipc.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: consumer DIR\n");
        return 2;
    }
    if (hftipc_version_number() != HFTIPC_VERSION_NUMBER) {
        fprintf(stderr, "header %s, library %s\n", HFTIPC_VERSION_STRING, hftipc_version_string());
        return 1;
    }
    char path[512];
    snprintf(path, sizeof path, "%s/installed-%d", argv[1], (int)getpid());
    hftipc_options_t o;
    hftipc_options_init(&o);
    o.capacity = 8;
    o.slot_size = 64;
    hftipc_channel_t *tx = NULL, *rx = NULL;
    int rc = hftipc_channel_create(path, &o, HFTIPC_ROLE_PRODUCER, &tx);
    if (rc == HFTIPC_OK)
        rc = hftipc_channel_open(path, HFTIPC_ROLE_CONSUMER, &rx);
    if (rc == HFTIPC_OK)
        rc = hftipc_channel_send(tx, "installed", 9);
    char buf[64];
    int64_t n = rc == HFTIPC_OK ? hftipc_channel_receive(rx, buf, sizeof buf) : rc;
    hftipc_channel_close(rx);
    hftipc_channel_close(tx);
    unlink(path);
    if (n != 9 || memcmp(buf, "installed", 9) != 0) {
        fprintf(stderr, "round trip failed: %s\n", hftipc_strerror(n));
        return 1;
    }
    printf("ok: libhftipc %s round trip\n", hftipc_version_string());
    return 0;
}
