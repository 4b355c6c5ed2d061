package hftipc

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// goTool is the go command that runs this test (or the one on the PATH).
func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		t.Skip("no go command to build with")
	}
	return p
}

// buildWithoutCgo runs `go build` with CGO_ENABLED=0 in dir and returns its failure output.
func buildWithoutCgo(t *testing.T, dir string) string {
	t.Helper()
	cmd := exec.Command(goTool(t), "build", "-o", os.DevNull, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOPROXY=off")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("CGO_ENABLED=0 go build in %s succeeded; it must fail and say why:\n%s", dir, out)
	}
	return string(out)
}

// checkCgoMessage: the first error is the sentence of cgo_required.go, not an undefined name.
func checkCgoMessage(t *testing.T, out string) {
	t.Helper()
	for _, want := range []string{"cgo_required.go", "hftipc needs cgo", "CGO_ENABLED=1",
		"a C compiler", "hftipc C library compiled by cgo"} {
		if !strings.Contains(out, want) {
			t.Errorf("CGO_ENABLED=0 build output lacks %q:\n%s", want, out)
		}
	}
	if i, j := strings.Index(out, "hftipc needs cgo"), strings.Index(out, "undefined:"); j >= 0 && j < i {
		t.Errorf("an undefined name is reported before the cgo message:\n%s", out)
	}
}

// TestBuildWithoutCgoSaysCgoIsRequired: the package itself, built with CGO_ENABLED=0.
func TestBuildWithoutCgoSaysCgoIsRequired(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	checkCgoMessage(t, buildWithoutCgo(t, wd))
}

// TestProgramBuiltWithoutCgoSaysCgoIsRequired: a user's program importing the package, the way
// the failure is met in practice (it used to be "undefined: hftipc.Open").
func TestProgramBuiltWithoutCgoSaysCgoIsRequired(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/user\n\ngo 1.22\n\n" +
			"require github.com/hftipc/hftipc/bindings/go v0.0.0\n\n" +
			"replace github.com/hftipc/hftipc/bindings/go => " + wd + "\n",
		"main.go": "package main\n\nimport hftipc \"github.com/hftipc/hftipc/bindings/go\"\n\n" +
			"func main() {\n\tch, err := hftipc.Open(\"/dev/shm/x\", hftipc.Consumer)\n" +
			"\tif err == nil {\n\t\tch.Close()\n\t}\n}\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	checkCgoMessage(t, buildWithoutCgo(t, dir))
}
