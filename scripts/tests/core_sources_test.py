#!/usr/bin/env python3
"""The core is built from one list of sources (core/sources.txt), by every build of it.

Fails when:
  - a .c file under core/src/ (at any depth) is not in core/sources.txt, or is listed twice;
  - a line of core/sources.txt names no file, or a file outside core/src/;
  - a build of the core does not read the list (each consumer is named below, with the word
    that shows it reads it);
  - any tracked build file (CMake, shell, Python, Go, Maven) lists core/src/ itself again with
    a glob, a directory listing or a walk, which would let a build silently pick up, or miss,
    a source the others do not.
The scanner for the last check is itself tested on the lines the builds used to have.

    python3 scripts/tests/core_sources_test.py
"""

import os
import re
import subprocess
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIST = "core/sources.txt"

# Every build of the core and the text that shows it reads the one list (directly, or through
# cmake/HftipcCore.cmake or scripts/lib/core.sh, which are checked to read it too).
CONSUMERS = {
    "cmake/HftipcCore.cmake": "core/sources.txt",
    "scripts/lib/core.sh": "sources.txt",
    "CMakeLists.txt": "cmake/HftipcCore.cmake",  # the library, the tools, the tests
    "core/CMakeLists.txt": "${HFTIPC_CORE_SOURCES}",
    "core/fuzz/CMakeLists.txt": "${HFTIPC_CORE_SOURCES}",
    "bindings/java/CMakeLists.txt": "cmake/HftipcCore.cmake",
    "samples/CMakeLists.txt": "cmake/HftipcCore.cmake",
    "interop-tests/run.sh": "scripts/lib/core.sh",
    "bridge/test.sh": "scripts/lib/core.sh",
    "scripts/amalgamate.py": '"core/sources.txt"',
}

# A line that enumerates core sources by itself. Each pattern names a way the builds did it.
LISTING_PATTERNS = [
    # shell or comment-free globs: core/src/*.c, $CORE_DIR/src/*.c, src/[a-z]*.c, src/**/*.c
    re.compile(r"src/(\*|\[[^\]]*\]\*|\*\*)[^\s\"']*\.c\b"),
    # CMake file(GLOB ...) or file(GLOB_RECURSE ...) over anything under core/ or the core dir
    re.compile(r"file\s*\(\s*GLOB(_RECURSE)?\b.*(core|CORE)"),
    # Python: os.listdir / os.walk / glob over the core
    re.compile(r"\b(listdir|scandir|walk|i?glob|rglob)\s*\(.*\b(core|CORE)\b"),
    # Go: filepath.Glob / os.ReadDir / filepath.Walk(Dir) over the core
    re.compile(r"\b(filepath\.Glob|os\.ReadDir|filepath\.WalkDir|filepath\.Walk)\s*\(.*(core|\"src\")"),
    # find(1) over core/src for .c files
    re.compile(r"\bfind\b.*core/src.*-name\s+['\"]?\*\.c"),
]

BUILD_FILE = re.compile(r"(^|/)(CMakeLists\.txt|[^/]*\.(cmake|sh|bash|py|go|mk)|Makefile|pom\.xml)$")
# Files allowed to look at core/src as a tree: this test, which must find every .c file.
EXEMPT = {"scripts/tests/core_sources_test.py"}


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def entries():
    out = []
    for n, line in enumerate(read(LIST).splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if line:
            out.append((n, line))
    return out


def listing_lines(text):
    """The (line number, line) of text that enumerate core sources by themselves."""
    hits = []
    for n, line in enumerate(text.splitlines(), 1):
        if any(p.search(line) for p in LISTING_PATTERNS):
            hits.append((n, line.strip()))
    return hits


def tracked_files():
    try:
        out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                             check=True, capture_output=True, text=True).stdout
        return [f for f in out.splitlines() if os.path.isfile(os.path.join(ROOT, f))]
    except (OSError, subprocess.CalledProcessError):  # a tarball without .git: walk the tree
        found = []
        for d, dirs, files in os.walk(ROOT):
            dirs[:] = [x for x in dirs if not x.startswith(".") and not x.startswith("build")]
            found += [os.path.relpath(os.path.join(d, f), ROOT) for f in files]
        return found


class CoreSources(unittest.TestCase):
    def test_every_entry_is_an_existing_source_under_core_src(self):
        for n, e in entries():
            with self.subTest(line=n, entry=e):
                path = os.path.normpath(os.path.join(ROOT, "core", e))
                self.assertTrue(e.endswith(".c"), "%s:%d: %s is not a .c file" % (LIST, n, e))
                self.assertTrue(path.startswith(os.path.join(ROOT, "core", "src") + os.sep),
                                "%s:%d: %s is outside core/src/" % (LIST, n, e))
                self.assertTrue(os.path.isfile(path), "%s:%d: %s does not exist" % (LIST, n, e))

    def test_no_entry_is_listed_twice(self):
        names = [os.path.normpath(e) for _, e in entries()]
        dup = sorted({e for e in names if names.count(e) > 1})
        self.assertEqual([], dup, "listed more than once in %s" % LIST)

    def test_every_c_file_under_core_src_is_listed(self):
        listed = {os.path.normpath(e) for _, e in entries()}
        on_disk = set()
        for d, _, files in os.walk(os.path.join(ROOT, "core", "src")):
            for f in files:
                if f.endswith(".c"):
                    on_disk.add(os.path.relpath(os.path.join(d, f), os.path.join(ROOT, "core")))
        missing = sorted(on_disk - listed)
        self.assertEqual([], missing,
                         "not in %s (add one line each; every build reads that list)" % LIST)

    def test_every_build_of_the_core_reads_the_list(self):
        for rel, needle in CONSUMERS.items():
            with self.subTest(build=rel):
                self.assertIn(needle, read(rel), "%s does not read %s (expected %r in it)"
                              % (rel, LIST, needle))

    def test_no_build_lists_core_src_itself(self):
        offenders = []
        for rel in tracked_files():
            if rel in EXEMPT or not BUILD_FILE.search(rel):
                continue
            try:
                text = read(rel)
            except (UnicodeDecodeError, OSError):
                continue
            offenders += ["%s:%d: %s" % (rel, n, line) for n, line in listing_lines(text)]
        self.assertEqual([], offenders,
                         "these lines enumerate the core's sources themselves; read %s instead "
                         "(cmake/HftipcCore.cmake, scripts/lib/core.sh)" % LIST)


class Scanner(unittest.TestCase):
    """The scanner catches each way the builds used to glob the core, and not the list readers."""

    BEFORE = [  # verbatim from the builds before core/sources.txt
        'file(GLOB HFTIPC_CORE_SOURCES CONFIGURE_DEPENDS "${HFTIPC_CORE_DIR}/src/*.c")',
        "file(GLOB HFTIPC_FUZZ_CORE_SOURCES ${PROJECT_SOURCE_DIR}/core/src/*.c)",
        "file(GLOB _core_sources CONFIGURE_DEPENDS ${_core}/src/*.c)",
        'for src in "$CORE_DIR"/src/*.c; do',
        'for src in "$root"/core/src/*.c; do',
        "    names = sorted(os.listdir(os.path.join(CORE, 'src')))",
        "    for f in glob.glob(os.path.join(ROOT, 'core/src/*.c')):",
        '        m, _ := filepath.Glob(filepath.Join(core, "src", pat))',
        "cc -std=c11 -Icore/src core/src/[a-z]*.c gen.c",
        "file(GLOB_RECURSE srcs ${HFTIPC_CORE_DIR}/src/platform/*.c)",
        "find core/src -name '*.c'",
    ]
    AFTER = [  # how the builds read the list now
        "add_library(hftipc_objects OBJECT ${HFTIPC_CORE_SOURCES})",
        'core_build_archive "$CORE_DIR" "$BUILD/core" "$BUILD/libhftipc-interop.a" "${cflags[@]}"',
        "    for entry in list_entries(SOURCES_LIST):",
        "files = sorted(n for n in os.listdir(src) if os.path.isfile(os.path.join(src, n)))",
        'file(GLOB hftipc_cli_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cli/*.c)',
        'for src in "$ROOT"/tools/cli/*.c; do',
    ]

    def test_catches_every_former_listing(self):
        for line in self.BEFORE:
            with self.subTest(line=line):
                self.assertTrue(listing_lines(line), "not caught: " + line)

    def test_passes_the_list_readers_and_other_globs(self):
        for line in self.AFTER:
            with self.subTest(line=line):
                self.assertEqual([], listing_lines(line))


if __name__ == "__main__":
    unittest.main(verbosity=2)
