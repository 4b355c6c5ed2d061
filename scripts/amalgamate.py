#!/usr/bin/env python3
"""Generate the single-file C build of the hftipc core for the Go binding.

cgo compiles every .c file in a Go package directory, but Go's build cache only tracks files
inside the package, so the Go binding must not #include the core's sources by relative path.
Instead this script concatenates the core into one committed file (the zstd/sqlite
"amalgamation" idea):

    bindings/go/hftipc.h               verbatim copy of core/include/hftipc.h
    bindings/go/hftipc_amalgamation.c  public header + private headers + sources, one unit

Private headers are inlined once, in dependency order, and their `#include "x.h"` lines are
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


def inputs():
    """Returns (private headers in dependency order, sources), as paths under core/src/.

    core/src/ and its platform/ directory: the top-level sources in name order, then the
    platform sources (each compiles to nothing unless selected, platform/platform.h), last so
    that an OS header they include cannot change the meaning of the core's own code. An include
    resolves next to the including file first, then from core/src/, as the compiler's does."""
    src = os.path.join(CORE, "src")

    def listed(sub):
        d = os.path.join(src, sub)
        return [os.path.join(sub, n) if sub else n for n in sorted(os.listdir(d))
                if os.path.isfile(os.path.join(d, n))]

    names = listed("") + listed("platform")
    headers = [n for n in names if n.endswith(".h")]
    sources = [n for n in names if n.endswith(".c")]
    known = set(headers)

    def resolve(including, inc):
        beside = os.path.normpath(os.path.join(os.path.dirname(including), inc))
        if beside in known:
            return beside
        return inc if inc in known or inc == "hftipc.h" else None

    deps = {}
    for n in headers + sources:
        inc = local_includes(read("core/src/" + n))
        resolved = [resolve(n, i) for i in inc]
        unknown = [i for i, r in zip(inc, resolved) if r is None]
        if unknown:
            sys.exit("amalgamate: core/src/%s includes unknown local header(s) %s" % (n, unknown))
        deps[n] = [r for r in resolved if r != "hftipc.h"]
    ordered, state = [], {}

    def visit(h, chain):
        if state.get(h) == "done":
            return
        if state.get(h) == "active":
            sys.exit("amalgamate: include cycle: %s" % " -> ".join(chain + [h]))
        state[h] = "active"
        for d in deps[h]:
            visit(d, chain + [h])
        state[h] = "done"
        ordered.append(h)

    for h in headers:
        visit(h, [])
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
    files = [PUBLIC_HEADER] + ["core/src/" + h for h in headers] + ["core/src/" + s for s in sources]
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
    for f in files:
        banner.append(" *   %s %s\n" % (f, sha256(texts[f])))
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
