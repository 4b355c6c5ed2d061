package hftipc

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestAmalgamationUpToDate fails when hftipc_amalgamation.c or hftipc.h has drifted from
// ../../core, without needing Python: scripts/amalgamate.py records the SHA-256 of every
// input file and of the generated body in the banner, and this test checks those against
// core/ and the file itself. (The generation logic lives only in the script; regenerate with
// `python3 scripts/amalgamate.py`, check fully with `--check`.) Outside the repository, where
// ../../core does not exist (the module fetched with go get), the test skips.
func TestAmalgamationUpToDate(t *testing.T) {
	const fix = "; run `python3 scripts/amalgamate.py` from the repository root and commit"
	core := filepath.Join("..", "..", "core")
	if _, err := os.Stat(filepath.Join(core, "src")); err != nil {
		t.Skip("not inside the hftipc repository (no ../../core/src)")
	}
	data, err := os.ReadFile("hftipc_amalgamation.c")
	if err != nil {
		t.Fatal(err)
	}
	const marker = "/* ---- end of banner ---- */\n"
	banner, body, ok := strings.Cut(string(data), marker)
	if !ok {
		t.Fatal("hftipc_amalgamation.c has no generated banner" + fix)
	}
	recorded := map[string]string{}
	var bodySum string
	sc := bufio.NewScanner(strings.NewReader(banner))
	for sc.Scan() {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "*"))
		switch {
		case len(f) == 2 && strings.HasPrefix(f[0], "core/"):
			recorded[f[0]] = f[1]
		case len(f) == 3 && f[0] == "Body":
			bodySum = f[2]
		}
	}
	if sum(body) != bodySum {
		t.Error("hftipc_amalgamation.c was edited by hand (body checksum differs)" + fix)
	}

	// Every input the script would use today: the public header and core/src/*.h, *.c, and
	// the platform layer's core/src/platform/*.h, *.c.
	current := []string{"core/include/hftipc.h"}
	for _, dir := range []string{"", "platform"} {
		for _, pat := range []string{"*.h", "*.c"} {
			m, _ := filepath.Glob(filepath.Join(core, "src", dir, pat))
			for _, p := range m {
				current = append(current, path.Join("core/src", dir, filepath.Base(p)))
			}
		}
	}
	sort.Strings(current)
	var names []string
	for n := range recorded {
		names = append(names, n)
	}
	sort.Strings(names)
	if strings.Join(current, " ") != strings.Join(names, " ") {
		t.Fatalf("core files changed: amalgamation has %v, core has %v%s", names, current, fix)
	}
	for _, rel := range current {
		b, err := os.ReadFile(filepath.Join("..", "..", rel))
		if err != nil {
			t.Fatal(err)
		}
		if sum(string(b)) != recorded[rel] {
			t.Errorf("%s changed since the amalgamation was generated%s", rel, fix)
		}
		if rel == "core/include/hftipc.h" {
			copyOf, err := os.ReadFile("hftipc.h")
			if err != nil || string(copyOf) != string(b) {
				t.Errorf("bindings/go/hftipc.h differs from %s%s", rel, fix)
			}
		}
	}
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
