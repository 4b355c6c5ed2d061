//go:build !linux

package hftipc

import (
	"errors"
	"os/exec"
)

// newPIDNamespace: pid namespaces are Linux's. The peer cannot start, so the test that needs
// one skips (its probe fails), as it does on Linux without root.
func newPIDNamespace(cmd *exec.Cmd) {
	cmd.Err = errors.New("pid namespaces exist on Linux only")
}
