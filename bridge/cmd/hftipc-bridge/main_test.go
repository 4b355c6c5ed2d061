package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCLIUsageAndExitStatuses(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.toml")
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(good, []byte("[[out]]\nname = \"q\"\nchannel = \"/dev/shm/q\"\nsubject = \"hftipc.q\"\n"), 0o644)
	os.WriteFile(bad, []byte("[[out]]\nname = \"q\"\n"), 0o644)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close() // nothing listens there any more

	for _, tc := range []struct {
		args     []string
		code     int
		out, err string
	}{
		{nil, 2, "", "usage: hftipc-bridge run"},
		{[]string{"--help"}, 0, "Exit status:", ""},
		{[]string{"--version"}, 0, "hftipc-bridge 0.1.0", ""},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"run"}, 2, "", "--config FILE is required"},
		{[]string{"run", "--config", good, "--log-format", "xml"}, 2, "", `--log-format "xml"`},
		{[]string{"run", "--nope"}, 2, "", "flag provided but not defined: -nope"},
		{[]string{"check", "--config", bad}, 2, "", "channel (a path) is required"},
		{[]string{"check", "--config", filepath.Join(dir, "missing.toml")}, 2, "", "no such file"},
		{[]string{"check", "--config", good, "extra"}, 2, "", `unexpected argument "extra"`},
		{[]string{"check", "--config", good}, 0, `stream = "HFTIPC_Q"`, ""},
		{[]string{"status", "--addr", closed}, 3, "", "cannot reach a bridge at " + closed},
	} {
		code, out, errs := runCLI(tc.args...)
		name := fmt.Sprintf("%q", tc.args)
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d (stderr %q)", name, code, tc.code, errs)
		}
		if !strings.Contains(out, tc.out) || !strings.Contains(errs, tc.err) {
			t.Errorf("%s: stdout %q, stderr %q; want them to contain %q and %q", name, out, errs, tc.out, tc.err)
		}
	}
}
