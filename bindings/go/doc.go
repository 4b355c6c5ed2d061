// Package hftipc is the Go binding of hftipc, lock-free message channels between processes
// through a memory-mapped file.
//
// A channel is a file (typically in /dev/shm) holding a ring of fixed-size slots. One
// process opens it as the Producer, one as the Consumer, and any number as Observers:
//
//	p, err := hftipc.Create("/dev/shm/quotes", hftipc.Config{Capacity: 4096, SlotSize: 128}, hftipc.Producer)
//	...
//	c, err := hftipc.Open("/dev/shm/quotes", hftipc.Consumer) // in another process
//
// The package calls the C core (compiled from the amalgamated sources shipped in this
// directory, so `go build` needs no installed library); it implements none of the file
// format itself.
//
// # Operations
//
// Send and Receive copy one message and never block: they return ErrFull or ErrEmpty.
// SendContext and ReceiveContext (and Wait) wait in the C core, on a futex the peer wakes; with
// a cancellable context in slices of at most 50ms between checks of the context, so
// cancellation and deadlines are honoured within about 50ms, and with a context that is never
// done (context.Background) in one call that returns when the ring is ready.
// SendBatch and ReceiveBatch move many messages per call, amortising the Go-to-C crossing.
// Claim (producer) and Peek/Ack (consumer) work in place, without copying: Claim returns a
// Claim value, which the caller writes and then commits or aborts (an abort publishes
// nothing). TryClaim/Commit are the same claim without the value.
//
// # Errors
//
// Every C status has a sentinel error (ErrFull, ErrBusy, ErrCorrupt, ...); failures are
// returned as a *ChannelError wrapping the sentinel, with the operation, the path and the C
// status code, so errors.Is and errors.As work like they do with *os.PathError. ErrExist,
// ErrNotExist, ErrPermission and ErrClosed also match fs.ErrExist, fs.ErrNotExist,
// fs.ErrPermission and fs.ErrClosed. The exception is flow control on the hot paths: ErrFull
// and ErrEmpty are returned bare (not wrapped), so a full or empty ring costs no allocation;
// compare them with == or errors.Is.
//
// # Zero-copy rules
//
// The slices returned by Claim.Bytes, TryClaim and Peek alias the shared mapping. A claimed
// slice is valid until the claim is committed or aborted (or used up by Send or SendBatch,
// or the Channel is closed); a Peek slice until Ack or Close, and must not be written. Do not retain either: copy what must outlive the call. Using them later
// reads or writes a slot that the peer may be reusing, or unmapped memory after Close.
//
// # Concurrency
//
// A Channel is used by one goroutine at a time, and Close must not run concurrently with
// another method. Different Channels (say, a producer and a consumer goroutine, each with its
// own handle) need no coordination. No method allocates or blocks on its hot path, and no C
// code calls back into Go.
//
// Close every Channel: there is no finalizer (a collector-driven close could unmap memory
// that a Peek or claimed slice still points to). A Channel that is never closed keeps its
// role until the process exits; after that, the next opener takes the role over.
// OpenTakeover also takes a role from a holder that exists but has shown no sign of life
// (its heartbeat, refreshed by blocking waits and Heartbeat) for longer than a limit; the old
// holder is then fenced and gets ErrFenced, or, if it was inside an operation or held a
// claim, killed. Takeover does the same with flags; ErrNoFence means the old holder could be
// neither fenced nor killed.
package hftipc
