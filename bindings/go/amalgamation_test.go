package hftipc

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
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

	// The sources must be exactly core/sources.txt (the one list every build of the core
	// reads), and the list itself is a recorded input; headers are recorded as the script
	// found them by following the sources' includes, so a header added, changed or removed
	// shows as a changed source or header checksum, or a missing file, below.
	list, err := os.ReadFile(filepath.Join(core, "sources.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var listed, recordedSources []string
	for _, line := range strings.Split(string(list), "\n") {
		line, _, _ = strings.Cut(line, "#")
		if line = strings.TrimSpace(line); line != "" {
			listed = append(listed, "core/"+line)
		}
	}
	var current []string
	for n := range recorded {
		current = append(current, n)
		if strings.HasSuffix(n, ".c") {
			recordedSources = append(recordedSources, n)
		}
	}
	sort.Strings(current)
	sort.Strings(listed)
	sort.Strings(recordedSources)
	if strings.Join(listed, " ") != strings.Join(recordedSources, " ") {
		t.Fatalf("core sources changed: amalgamation has %v, core/sources.txt lists %v%s",
			recordedSources, listed, fix)
	}
	if _, ok := recorded["core/sources.txt"]; !ok {
		t.Fatal("the banner does not record core/sources.txt" + fix)
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
