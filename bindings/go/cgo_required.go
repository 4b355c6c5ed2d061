//go:build !cgo

package hftipc

// A build without cgo stops here, with this sentence as the compiler's first error. The package
// is the hftipc C library (hftipc_amalgamation.c, compiled by cgo) under a Go API: the channel
// protocol (atomics on a shared mapping, futex waits, liveness checks) exists only in C, so
// there is no pure-Go fallback. Without this file the package would compile to nothing and each
// caller would fail with "undefined: hftipc.Open". Cross builds turn cgo off unless CC is set.
var _ int = "hftipc needs cgo (CGO_ENABLED=1 and a C compiler; cross builds also set CC): the package is the hftipc C library compiled by cgo, with no pure-Go implementation"
