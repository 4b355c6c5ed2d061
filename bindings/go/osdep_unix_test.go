//go:build unix

package hftipc

import (
	"os"
	"syscall"
	"testing"
)

// The tests' few OS-specific operations, so that the test binary builds for every GOOS
// (scripts/cross-go.sh links it for windows/amd64); osdep_windows_test.go has the others.

// stopProcess and continueProcess freeze and thaw a peer (SIGSTOP, SIGCONT): a holder that
// is alive but makes no progress.
func stopProcess(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
}

func continueProcess(pid int) error { return syscall.Kill(pid, syscall.SIGCONT) }

func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }

// allocatedBytes is how much of path the file system has allocated (st_blocks * 512).
func allocatedBytes(path string) (int64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, err
	}
	return st.Blocks * 512, nil
}

// mapShared maps size bytes of f read-write and shared, as another process would.
func mapShared(f *os.File, size int) ([]byte, error) {
	return syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
}

func unmapShared(mem []byte) error { return syscall.Munmap(mem) }
