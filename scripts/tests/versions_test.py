#!/usr/bin/env python3
"""Versions and names in README, docs/ and scripts agree with the code.

Each expected value is read from the file that defines it, never written here:
  library version    core/include/hftipc.h   HFTIPC_VERSION_MAJOR/MINOR/PATCH (and _STRING)
  format version     core/include/hftipc.h   HFTIPC_FORMAT_MAJOR/MINOR
  jar name, version  bindings/java/pom.xml   artifactId, version, groupId, maven.compiler.release
  Go version         bindings/go/go.mod      the go directive
  CMake version      CMakePresets.json       cmakeMinimumRequired (bindings/java: its CMakeLists)
  SWIG version       bindings/java/CMakeLists.txt  find_package(SWIG X.Y ...)
The documents are searched for the forms these values take in prose and in sample output (a jar
file name, "Go 1.24+", "channel format 1.1 (reads and writes ...", "this library (hftipc 1.0.0,
format 1.1)", ...); every occurrence must carry the value of the code. Mentions of history (the
golden files of format 1.0, benchmark runs of an older library) do not take these forms.

  python3 scripts/tests/versions_test.py      exit 0 if all agree; else each mismatch, file:line
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def one(pattern, text, what):
    m = re.search(pattern, text, re.M)
    if not m:
        sys.exit("versions_test: cannot find %s" % what)
    return m.groups() if len(m.groups()) > 1 else m.group(1)


# ---- The values, from the code ---------------------------------------------------------------
header = read("core/include/hftipc.h")
lib = ".".join(
    one(r"^#define HFTIPC_VERSION_%s +(\d+)" % p, header, "HFTIPC_VERSION_" + p)
    for p in ("MAJOR", "MINOR", "PATCH"))
lib_string = one(r'^#define HFTIPC_VERSION_STRING "([^"]+)"', header, "HFTIPC_VERSION_STRING")
fmt = "%s.%s" % (one(r"^#define HFTIPC_FORMAT_MAJOR +(\d+)", header, "HFTIPC_FORMAT_MAJOR"),
                 one(r"^#define HFTIPC_FORMAT_MINOR +(\d+)", header, "HFTIPC_FORMAT_MINOR"))
fmt_major = fmt.split(".")[0]

pom = read("bindings/java/pom.xml")
pom = re.sub(r"<!--.*?-->", "", pom, flags=re.S)
pom_project = re.sub(r"<(dependencies|build|parent|properties)>.*?</\1>", "", pom, flags=re.S)
group = one(r"<groupId>([^<]+)</groupId>", pom_project, "the pom's groupId")
artifact = one(r"<artifactId>([^<]+)</artifactId>", pom_project, "the pom's artifactId")
pom_version = one(r"<version>([^<]+)</version>", pom_project, "the pom's version")
java_release = one(r"<maven.compiler.release>(\d+)</maven.compiler.release>", pom,
                   "maven.compiler.release in the pom")

go_version = one(r"^go (\d+\.\d+)(?:\.\d+)?\s*$", read("bindings/go/go.mod"), "the go directive")

presets = json.loads(read("CMakePresets.json"))["cmakeMinimumRequired"]
cmake_root = "%d.%d" % (presets["major"], presets["minor"])
java_cmake = read("bindings/java/CMakeLists.txt")
cmake_java = one(r"^cmake_minimum_required\(VERSION (\d+\.\d+)", java_cmake,
                 "cmake_minimum_required in bindings/java/CMakeLists.txt")
swig = one(r"find_package\(SWIG (\d+(?:\.\d+)*)", java_cmake, "find_package(SWIG in bindings/java")

# ---- The documents ---------------------------------------------------------------------------
def documents():
    # CHANGELOG.md is history: each entry names the version it was written for.
    names = ["README.md", "bindings/go/README.md", "bindings/java/README.md", "demo/README.md",
             "interop-tests/README.md", "bench/README.md", "tools/cli/main.c"]
    for d, exts in (("docs", (".md",)), ("scripts", (".sh", ".py")), ("deploy", (".yaml", ".md")),
                    ("demo", (".sh",)), ("interop-tests", (".sh",)), ("bindings/java", (".sh",)),
                    ("bindings/go", (".sh",))):
        for dirpath, _, files in os.walk(os.path.join(ROOT, d)):
            for f in sorted(files):
                if f.endswith(exts):
                    names.append(os.path.relpath(os.path.join(dirpath, f), ROOT))
    me = os.path.relpath(os.path.abspath(__file__), ROOT)
    for n in sorted(set(names)):
        if n != me and os.path.isfile(os.path.join(ROOT, n)):
            yield n, read(n).splitlines()


def same_or_prefix(doc, code):
    """'SWIG 4' agrees with 4.0: the document may name fewer components than the code."""
    d, c = doc.split("."), code.split(".")
    return c[:len(d)] == d or (len(d) > len(c) and d[:len(c)] == c and set(d[len(c):]) == {"0"})


# (name, regex with one group per value, the values the groups must have, files it applies to)
ALL = None
checks = [
    ("jar file name (pom: %s-%s.jar)" % (artifact, pom_version),
     r"\b%s-(\d+\.\d+\.\d+)(?:-[a-z]+)?\.jar\b" % re.escape(artifact), [pom_version], ALL),
    ("Maven coordinates (pom: %s:%s:%s)" % (group, artifact, pom_version),
     r"\b%s:%s:(\d+\.\d+\.\d+)\b" % (re.escape(group), re.escape(artifact)), [pom_version], ALL),
    ("Go version (go.mod: go %s)" % go_version,
     r"\bGo (\d+\.\d+)(?:\+| or later| or newer)", [go_version], ALL),
    ("Java version (pom: release %s)" % java_release,
     r"\b(?:Java|JDK|JRE) (\d+)(?:\+| or later| or newer)", [java_release], ALL),
    ("CMake version (CMakePresets.json: %s)" % cmake_root,
     r"\bCMake (?:>= ?)?(\d+\.\d+)\+?", [cmake_root], lambda n: n != "bindings/java/README.md"),
    ("CMake version of bindings/java (its CMakeLists.txt: %s)" % cmake_java,
     r"\bCMake (?:>= ?)?(\d+\.\d+)\+?", [cmake_java], lambda n: n == "bindings/java/README.md"),
    ("SWIG version (bindings/java/CMakeLists.txt: %s)" % swig,
     r"\bSWIG (\d+(?:\.\d+)*)\+?(?![\d.])", [swig], ALL),
    ("`hftipc --version` (header: %s, format %s)" % (lib, fmt),
     r"^\s*hftipc (\d+\.\d+\.\d+) \(library (\d+\.\d+\.\d+), built against (\d+\.\d+\.\d+)\)",
     [lib, lib, lib], ALL),
    ("`hftipc --version` format line (header: format %s)" % fmt,
     r"channel format (\d+\.\d+) \(reads and writes format (\d+)\.x files\)", [fmt, fmt_major], ALL),
    ("library named in an error or inspect line (header: %s, format %s)" % (lib, fmt),
     r"this library,? \(?hftipc (\d+\.\d+\.\d+)(?:, format (\d+\.\d+))?", [lib, fmt], ALL),
    ("this library's format (header: %s)" % fmt,
     r"this library \(format (\d+\.\d+)\)", [fmt], ALL),
]
# Each of these must be found at least once, so that a rewording cannot silently retire a check.
must_find = {0, 2, 3, 4, 6, 7, 8, 9, 10}

failures = []
found = [0] * len(checks)
if lib != lib_string:
    failures.append("core/include/hftipc.h: HFTIPC_VERSION_STRING is %s, the version macros say %s"
                    % (lib_string, lib))
if pom_version != lib:
    failures.append("bindings/java/pom.xml: version %s, the library (hftipc.h) is %s"
                    % (pom_version, lib))
for name, lines in documents():
    for i, (what, pattern, want, applies) in enumerate(checks):
        if applies is not None and not applies(name):
            continue
        for lineno, line in enumerate(lines, 1):
            for m in re.finditer(pattern, line):
                found[i] += 1
                for got, expect in zip(m.groups(), want):
                    if got is None:
                        continue
                    ok = same_or_prefix(got, expect) if i == 6 else got == expect
                    if not ok:
                        failures.append("%s:%d: %s: says %s, want %s\n    %s"
                                        % (name, lineno, what, got, expect, line.strip()))
for i in sorted(must_find):
    if found[i] == 0:
        failures.append("no mention found of: %s (the check would pass vacuously; update its pattern)"
                        % checks[i][0])

for i, (what, _, _, _) in enumerate(checks):
    print("%-4s %s: %d mention(s)" % ("ok" if not any(what in f for f in failures) else "FAIL",
                                      what, found[i]))
if failures:
    print()
    for f in failures:
        print("FAIL " + f)
    print("versions_test: %d mismatch(es)" % len(failures))
    sys.exit(1)
print("versions_test: library %s, format %s, jar %s-%s.jar, Go %s, Java %s, CMake %s, SWIG %s: "
      "every mention agrees" % (lib, fmt, artifact, pom_version, go_version, java_release,
                                cmake_root, swig))
