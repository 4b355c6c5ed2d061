#!/usr/bin/env python3
"""Generate the single-file C build of the hftipc core for the Go binding.

cgo compiles every .c file in a Go package directory, but Go's build cache only tracks files
inside the package, so the Go binding must not #include the core's sources by relative path.
Instead this script concatenates the core into one committed file (the zstd/sqlite
"amalgamation" idea):

    bindings/go/hftipc.h               verbatim copy of core/include/hftipc.h
    bindings/go/hftipc_amalgamation.c  public header + private headers + sources, one unit

The sources are core/sources.txt, the one list every build of the core reads, in its order.
Private headers are those the sources include (followed, never globbed), inlined once, in
dependency order, and their `#include "x.h"` lines are
turned into comments (line numbers stay aligned, so the `#line` markers keep compiler messages
pointing at core/). _GNU_SOURCE is defined before anything else, because each source defines it
only for itself under #ifndef and a system header included earlier would freeze the feature set.

The banner records the SHA-256 of every input and of the generated body, so the Go test
(amalgamation_test.go) can detect drift without Python; `--check` regenerates and compares.

Usage:
    python3 scripts/amalgamate.py           # regenerate
    python3 scripts/amalgamate.py --check   # exit 1 if the committed files are out of date
"""

import argparse
import hashlib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORE = os.path.join(ROOT, "core")
PUBLIC_HEADER = "core/include/hftipc.h"
SOURCES_LIST = "core/sources.txt"
OUT_DIR = "bindings/go"
OUT_HEADER = OUT_DIR + "/hftipc.h"
OUT_SOURCE = OUT_DIR + "/hftipc_amalgamation.c"
BODY_MARKER = "/* ---- end of banner ---- */\n"

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def read(rel):
    with open(os.path.join(ROOT, rel), "r", encoding="utf-8") as f:
        return f.read()


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def local_includes(text):
    return [m.group(1) for m in (INCLUDE_RE.match(line) for line in text.splitlines()) if m]


def list_entries(rel):
    """The entries of a list file such as core/sources.txt: '#' comments and blank lines dropped."""
    entries = []
    for line in read(rel).splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            entries.append(line)
    return entries


def resolve_include(including, name):
    """The repository path of `#include "name"` in file `including`: next to the including file
    first, then core/src/ (the private headers), as the compiler's -I order finds it."""
    for base in (os.path.dirname(including), "core/src"):
        rel = os.path.normpath(os.path.join(base, name)).replace(os.sep, "/")
        if os.path.isfile(os.path.join(ROOT, rel)):
            return rel
    return None


def inputs():
    """Returns (private headers in dependency order, sources in core/sources.txt order).

    The sources are exactly core/sources.txt (the one list every build of the core reads); the
    headers are those the sources include, found by following their #include lines, so that
    nothing here lists or globs core/src/ itself."""
    sources = []
    for entry in list_entries(SOURCES_LIST):
        rel = "core/" + entry
        if not os.path.isfile(os.path.join(ROOT, rel)):
            sys.exit("amalgamate: %s names %s, which does not exist" % (SOURCES_LIST, entry))
        sources.append(rel)
    ordered, state = [], {}

    def deps(f):
        out = []
        for inc in local_includes(read(f)):
            if inc == "hftipc.h":
                continue  # the public header, first in the amalgamation
            rel = resolve_include(f, inc)
            if rel is None:
                sys.exit("amalgamate: %s includes unknown local header %s" % (f, inc))
            out.append(rel)
        return out

    def visit(h, chain):
        if state.get(h) == "done":
            return
        if state.get(h) == "active":
            sys.exit("amalgamate: include cycle: %s" % " -> ".join(chain + [h]))
        state[h] = "active"
        for d in deps(h):
            visit(d, chain + [h])
        state[h] = "done"
        ordered.append(h)

    for src in sources:
        for d in deps(src):
            visit(d, [src])
    return ordered, sources


def render_file(rel, text):
    out = ["/* ==== %s ==== */\n" % rel, '#line 1 "%s"\n' % rel]
    for line in text.splitlines(keepends=True):
        m = INCLUDE_RE.match(line)
        if m:
            # Every local include is either the public header or a private header inlined
            # above; keep the line as a comment so #line numbering stays exact.
            line = "/* amalgamated: %s */\n" % line.strip()
        out.append(line)
    if out and not out[-1].endswith("\n"):
        out.append("\n")
    return "".join(out)


def generate():
    headers, sources = inputs()
    files = [PUBLIC_HEADER] + headers + sources
    texts = {f: read(f) for f in files}
    body = [
        "#ifndef _GNU_SOURCE\n#define _GNU_SOURCE\n#endif\n",
        "#define HFTIPC_AMALGAMATION 1\n",
    ]
    for f in files:
        body.append(render_file(f, texts[f]))
    body = "".join(body)
    banner = [
        "/*\n",
        " * GENERATED FILE - DO NOT EDIT.\n",
        " * Generated by scripts/amalgamate.py from core/ (the hftipc C library) as one translation\n",
        " * unit that cgo compiles with the Go package. Edit core/ and run:\n",
        " *     python3 scripts/amalgamate.py\n",
        " * Inputs (sha256):\n",
    ]
    # The list itself is an input too: the drift test compares it with the sources above.
    for f in [SOURCES_LIST] + files:
        banner.append(" *   %s %s\n" % (f, sha256(texts[f] if f in texts else read(f))))
    banner.append(" * Body (sha256): %s\n" % sha256(body))
    banner.append(" */\n")
    return texts[PUBLIC_HEADER], "".join(banner) + BODY_MARKER + body


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if the committed files differ from core/")
    args = ap.parse_args()
    header, source = generate()
    wanted = {OUT_HEADER: header, OUT_SOURCE: source}
    if args.check:
        stale = []
        for rel, text in wanted.items():
            try:
                current = read(rel)
            except FileNotFoundError:
                current = None
            if current != text:
                stale.append(rel)
        if stale:
            sys.stderr.write(
                "amalgamate: %s out of date with core/ (drift).\n"
                "Run: python3 scripts/amalgamate.py   and commit the result.\n" % ", ".join(stale))
            return 1
        print("amalgamate: %s and %s are up to date" % (OUT_HEADER, OUT_SOURCE))
        return 0
    for rel, text in wanted.items():
        path = os.path.join(ROOT, rel)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
        print("amalgamate: wrote %s" % rel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
