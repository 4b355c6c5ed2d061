package hftipc

import (
	"os/exec"
	"syscall"
)

// newPIDNamespace makes the peer the first process of a new pid namespace (root only).
func newPIDNamespace(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
}
