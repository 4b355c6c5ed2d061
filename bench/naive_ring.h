/*
 * naive_ring: the OLD library's ring algorithm, kept only as a benchmark baseline.
 *
 * Why it exists: the issue asks for hftipc to be measured against what it replaces, in the same
 * run, so that results read as ratios instead of machine-dependent absolute numbers. This file
 * reproduces the old algorithm's costs deliberately; do NOT use it for anything else and do not
 * "fix" it (see naive_ring.c for the list of what it reproduces).
 */
#ifndef HFTIPC_BENCH_NAIVE_RING_H
#define HFTIPC_BENCH_NAIVE_RING_H

#include <stddef.h>
#include <stdint.h>

/* Fixed slot payload of the old library: every message occupies a 512-byte slot. */
#define NAIVE_SLOT_PAYLOAD 512u

/* Bytes of shared memory needed for a ring of `capacity` slots. */
size_t naive_ring_bytes(uint64_t capacity);

/* Initialise a ring in zeroed shared memory `mem` of naive_ring_bytes(capacity) bytes. */
void naive_ring_init(void *mem, uint64_t capacity);

/* Producer: copy `len` (<= NAIVE_SLOT_PAYLOAD) bytes into the next slot and publish.
 * Returns 0, or -1 when the ring is full. */
int naive_ring_send(void *mem, const void *msg, uint32_t len);

/* Consumer: copy the next message into `buf` and consume it.
 * Returns the length, -1 when empty, -2 when `buf_len` is too small. */
int64_t naive_ring_receive(void *mem, void *buf, size_t buf_len);

#endif
