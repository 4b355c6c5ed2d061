#!/usr/bin/env bash
# Checks that the man pages say what --help says: one page per command listed by
# `hftipc --help` plus hftipc.1, no other page, each rendering without a roff warning, with the
# same sections in the same order and the same words in each; and that every option the help
# lists is one the command accepts.
# Usage: man_test.sh PATH/TO/hftipc MAN_DIR
set -u
HFTIPC=${1:?usage: man_test.sh PATH/TO/hftipc MAN_DIR}
MANDIR=${2:?usage: man_test.sh PATH/TO/hftipc MAN_DIR}
if ! command -v nroff >/dev/null || ! command -v groff >/dev/null; then
    echo "man_test: nroff/groff not installed (scripts/install-deps.sh installs groff-base)" >&2
    exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/hftipc-man-test.XXXXXX")
trap 'rm -rf "$T"' EXIT

python3 - "$HFTIPC" "$MANDIR" "$T" <<'PY'
import os, re, subprocess, sys

hftipc, mandir, tmp = sys.argv[1:4]
failed = passed = 0

def result(ok, name, detail=""):
    global failed, passed
    if ok:
        passed += 1
        print("ok   - " + name)
    else:
        failed += 1
        print("FAIL - " + name + ("\n       " + detail if detail else ""))

def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL, **kw)

def sections(text):
    """[(HEADING, normalised body)] of a page rendered as text: headings start in column 0."""
    out = []
    for line in text.splitlines():
        if line and not line[0].isspace():
            out.append([line.strip(), []])
        elif out:
            out[-1][1].append(line)
    return [(h, " ".join(" ".join(b).split())) for h, b in out]

main_help = run([hftipc, "--help"]).stdout
cmds = []
in_cmds = False
for line in main_help.splitlines():
    if line and not line[0].isspace():
        in_cmds = line == "COMMANDS"
    elif in_cmds and line.startswith("    ") and not line.startswith("     "):
        cmds.append(line.split()[0])
result(len(cmds) >= 8, "hftipc --help lists the commands", repr(cmds))

want = {"hftipc.1"} | {"hftipc-%s.1" % c for c in cmds}
have = {f for f in os.listdir(mandir) if f.endswith(".1")}
result(want == have, "one man page per command, no other",
       "missing %s, extra %s" % (sorted(want - have), sorted(have - want)))

for cmd in [None] + cmds:
    page = os.path.join(mandir, "hftipc%s.1" % ("-" + cmd if cmd else ""))
    name = os.path.basename(page)
    if not os.path.exists(page):
        continue
    warn = run(["groff", "-man", "-ww", "-z", page])
    result(warn.returncode == 0 and warn.stderr == "", name + " renders without warnings",
           warn.stderr.strip())
    rendered = run(["nroff", "-man", "-Tascii", page]).stdout
    rendered = re.sub(".\b", "", rendered)  # bold and underline are overstrikes
    lines = [l for l in rendered.splitlines() if l.strip()]
    man = sections("\n".join(lines[1:-1]))  # without the running header and footer
    help_text = run([hftipc] + ([cmd] if cmd else []) + ["--help"]).stdout
    want_s = sections(help_text)
    if cmd:  # a page is named hftipc-CMD; the help says "hftipc CMD"
        want_s = [(h, b.replace("hftipc %s -" % cmd, "hftipc-%s -" % cmd, 1) if h == "NAME"
                   else b) for h, b in want_s]
    heads = [h for h, _ in want_s]
    result(heads == [h for h, _ in man], name + " has the sections of --help",
           "%s vs %s" % (heads, [h for h, _ in man]))
    for (h, b), (mh, mb) in zip(want_s, man):
        result(h == mh and b == mb, "%s %s says what --help says" % (name, h),
               "help: %r\n       man:  %r" % (b[:300], mb[:300]))
    if cmd is None or cmd == "bench":
        continue
    # Every option the help lists is one the parser knows (a missing path: nothing is made).
    labels = []
    in_opts = False
    for line in help_text.splitlines():
        if line and not line[0].isspace():
            in_opts = line == "OPTIONS"
        elif in_opts and re.match(r"^    -", line):
            labels.append(line.split()[0].rstrip(","))
    for opt in labels:
        r = run([hftipc, cmd, os.path.join(tmp, "no-such-dir", "chan"), opt])
        result("unknown option" not in r.stderr and r.returncode in (0, 1, 2, 3),
               "%s accepts %s, which its help lists" % (cmd, opt), r.stderr.strip())

print("\nman_test: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
