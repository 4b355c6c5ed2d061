#!/usr/bin/env python3
"""Writes the Go binding as a module proxy serves it (https://go.dev/ref/mod#goproxy-protocol).

    scripts/gomodule.py SRC_DIR OUT_DIR VERSION COMMIT_TIME [LICENSE]

SRC_DIR is bindings/go of a clean export, OUT_DIR the GOPROXY root; VERSION is vX.Y.Z and
COMMIT_TIME an RFC 3339 time. Writes OUT_DIR/<module>/@v/{list, VERSION.info, VERSION.mod,
VERSION.zip}.

The zip follows the module zip format (https://go.dev/ref/mod#zip-files): every entry is
"<module>@<version>/<path>", regular files only, no directory entries, no vendor/ or nested
modules, under the size limits. `go get` checks all of that when it extracts the zip
(golang.org/x/mod/zip.Unzip), so the release proof catches a malformed one. Only what a cgo build
of the package needs goes in: go.mod, the non-test .go files, the amalgamated C file and the
header, plus the repository's LICENSE (Go's own VCS zips copy the root LICENSE into a module in
a subdirectory as well). Tests, test scripts, the README and the examples stay out.
"""

import json
import os
import re
import sys
import zipfile

# golang.org/x/mod/zip limits: 500 MiB unpacked, 16 MiB for go.mod and LICENSE.
MAX_ZIP = 500 << 20
MAX_GOMOD = 16 << 20


def module_path(go_mod: str) -> str:
    m = re.search(r"^module\s+(\S+)\s*$", go_mod, re.M)
    if not m:
        sys.exit("gomodule.py: no module line in go.mod")
    return m.group(1)


def escape(path: str) -> str:
    # The proxy protocol's case encoding: an upper-case letter becomes '!' + its lower case.
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), path)


def semver(v: str) -> tuple:
    return tuple(int(x) for x in v[1:].split("."))


def wanted(name: str) -> bool:
    if name.endswith("_test.go"):
        return False
    return name == "go.mod" or name.endswith((".go", ".c", ".h"))


def main() -> None:
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    src, out, version, when = sys.argv[1:5]
    licence = sys.argv[5] if len(sys.argv) == 6 else None
    if not re.fullmatch(r"v\d+\.\d+\.\d+", version):
        sys.exit(f"gomodule.py: {version!r} is not a vX.Y.Z release version")
    with open(os.path.join(src, "go.mod"), encoding="utf-8") as f:
        go_mod = f.read()
    mod = module_path(go_mod)
    # Only the package directory itself: subdirectories are other packages (the examples).
    files = sorted(n for n in os.listdir(src) if os.path.isfile(os.path.join(src, n)) and wanted(n))
    if not any(n.endswith(".c") for n in files) or "go.mod" not in files:
        sys.exit(f"gomodule.py: {src} has no go.mod or no C source: not the Go binding")

    vdir = os.path.join(out, escape(mod), "@v")
    os.makedirs(vdir, exist_ok=True)
    total = 0
    zpath = os.path.join(vdir, version + ".zip")
    # A fixed timestamp and order make the zip (and its h1: hash) depend only on the contents.
    stamp = (1980, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        entries = [(n, os.path.join(src, n)) for n in files]
        if licence:
            entries.append(("LICENSE", licence))
        for name, path in entries:
            with open(path, "rb") as f:
                data = f.read()
            total += len(data)
            if name in ("go.mod", "LICENSE") and len(data) > MAX_GOMOD:
                sys.exit(f"gomodule.py: {name} is larger than 16 MiB")
            info = zipfile.ZipInfo(f"{mod}@{version}/{name}", stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    if total > MAX_ZIP:
        sys.exit("gomodule.py: the module is larger than 500 MiB unpacked")
    with open(os.path.join(vdir, version + ".mod"), "w", encoding="utf-8") as f:
        f.write(go_mod)
    with open(os.path.join(vdir, version + ".info"), "w", encoding="utf-8") as f:
        json.dump({"Version": version, "Time": when}, f)
        f.write("\n")
    listing = os.path.join(vdir, "list")
    known = set()
    if os.path.exists(listing):
        with open(listing, encoding="utf-8") as f:
            known = {line.strip() for line in f if line.strip()}
    known.add(version)
    with open(listing, "w", encoding="utf-8") as f:
        f.write("".join(v + "\n" for v in sorted(known, key=semver)))
    print(f"gomodule.py: {mod}@{version}: {len(entries)} files -> {zpath}")


if __name__ == "__main__":
    main()
