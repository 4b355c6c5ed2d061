//go:build windows

package hftipc

import (
	"errors"
	"os"
	"syscall"
	"testing"
	"unsafe"
)

// The Windows side of osdep_unix_test.go: what Windows cannot do is skipped by the test that
// needs it; a shared mapping is a file mapping object.

func stopProcess(t *testing.T, pid int) {
	t.Helper()
	t.Skip("no SIGSTOP on Windows: a frozen holder cannot be made here")
}

func continueProcess(pid int) error { return nil }

func mkfifo(path string) error { return errors.New("no named pipes in the file system on Windows") }

func allocatedBytes(path string) (int64, error) {
	return 0, errors.New("no allocated size on Windows' syscall package")
}

func mapShared(f *os.File, size int) ([]byte, error) {
	h, err := syscall.CreateFileMapping(syscall.Handle(f.Fd()), nil, syscall.PAGE_READWRITE, 0, 0, nil)
	if err != nil {
		return nil, err
	}
	defer syscall.CloseHandle(h) // the view keeps the mapping alive
	addr, err := syscall.MapViewOfFile(h, syscall.FILE_MAP_WRITE, 0, 0, uintptr(size))
	if err != nil {
		return nil, err
	}
	// The view is memory the OS mapped, not Go's: the address is read as a pointer in place
	// (a uintptr-to-Pointer conversion would be flagged by vet, rightly for Go memory).
	base := *(*unsafe.Pointer)(unsafe.Pointer(&addr))
	return unsafe.Slice((*byte)(base), size), nil
}

func unmapShared(mem []byte) error {
	return syscall.UnmapViewOfFile(uintptr(unsafe.Pointer(&mem[0])))
}
