//go:build windows

package hftipc

import (
	"syscall"
	"unsafe"
)

// waitCancel is what OpenWait hands the C wait to wake it when the context ends: cgo cannot
// interrupt a C call, but the C side waits on this alongside its own wake-ups. On Windows it
// is a manual-reset event object (no pipe can be waited on together with other objects), set
// by signal. The syscall package has no CreateEvent, so it is called from kernel32 directly.
type waitCancel struct{ event syscall.Handle }

var (
	kernel32     = syscall.NewLazyDLL("kernel32.dll")
	createEventW = kernel32.NewProc("CreateEventW")
	setEvent     = kernel32.NewProc("SetEvent")
)

func newWaitCancel() (*waitCancel, error) {
	// CreateEventW(no security attributes, manual reset, not signalled, no name)
	h, _, err := createEventW.Call(0, 1, 0, uintptr(unsafe.Pointer(nil)))
	if h == 0 {
		return nil, err
	}
	return &waitCancel{event: syscall.Handle(h)}, nil
}

// handle is the value the C wait waits on: the event's handle. Kernel handles are 32-bit
// values on 64-bit Windows too (they are shared with 32-bit processes), so an int holds one.
func (c *waitCancel) handle() int { return int(c.event) }

func (c *waitCancel) signal() { setEvent.Call(uintptr(c.event)) }

func (c *waitCancel) close() { syscall.CloseHandle(c.event) }
