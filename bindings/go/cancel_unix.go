//go:build unix

package hftipc

import "syscall"

// waitCancel is what OpenWait hands the C wait to wake it when the context ends: cgo cannot
// interrupt a C call, but the C side polls this alongside its own wake-ups. On Unix it is a
// pipe: the C wait polls the read end (hftipc__channel_open_wait_cancel), and signal writes a
// byte to the other.
type waitCancel struct{ r, w int }

func newWaitCancel() (*waitCancel, error) {
	var p [2]int
	// syscall.Pipe2 is Linux-only; Pipe, then close-on-exec and non-blocking, is every Unix.
	// The descriptors live for one call, and no exec of this process's happens in between
	// that matters more than a descriptor leaked into it for that moment.
	if err := syscall.Pipe(p[:]); err != nil {
		return nil, err
	}
	for _, fd := range p {
		syscall.CloseOnExec(fd)
		if err := syscall.SetNonblock(fd, true); err != nil {
			syscall.Close(p[0])
			syscall.Close(p[1])
			return nil, err
		}
	}
	return &waitCancel{r: p[0], w: p[1]}, nil
}

// handle is the value the C wait polls: the pipe's read end.
func (c *waitCancel) handle() int { return c.r }

func (c *waitCancel) signal() { syscall.Write(c.w, []byte{0}) }

func (c *waitCancel) close() {
	syscall.Close(c.r)
	syscall.Close(c.w)
}
