/* libFuzzer target: the header validator over arbitrary bytes (docs/FORMAT.md, section 3).
 * Any input must yield a status, never a crash or an out-of-bounds read (ASan checks). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "hftipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size heap copy, so reading one byte too far is an ASan error. */
    uint8_t *copy = malloc(size ? size : 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    hftipc__geometry g;
    /* The first 8 bytes of input past the header pretend to be the actual file size, so the
     * size checks see disagreeing and agreeing values alike. */
    uint64_t actual = size;
    if (size >= HFTIPC__HEADER_SIZE + 8)
        memcpy(&actual, data + HFTIPC__HEADER_SIZE, 8);
    int rc = hftipc__header_validate(copy, size, actual, &g);
    if (rc == HFTIPC_OK) {
        /* A validated geometry is internally consistent. */
        if (g.capacity == 0 || (g.capacity & (g.capacity - 1)) != 0 || g.slot_size % 8 != 0 ||
            g.file_size != HFTIPC__HEADER_SIZE + (uint64_t)g.capacity * g.slot_size ||
            g.file_size != actual)
            abort();
    } else if (rc > 0 || rc < HFTIPC_STATUS_MIN) {
        abort();
    }
    free(copy);
    return 0;
}
