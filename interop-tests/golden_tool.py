#!/usr/bin/env python3
"""Helpers of run.sh for the golden files (golden/<version>/manifest.json).

  golden_tool.py expect MANIFEST OUTDIR
      Write OUTDIR/NAME.expect for every file of the manifest: the plain "key value" lines the
      C, Go and Java peers read (`peer golden PATH NAME.expect`), so they need no JSON parser.
      Messages a consumer receives are "msg HEX" lines in order, what an observer sees "obs HEX"
      lines ("-" for an empty message); "probe HEX" is what the peer sends after the drain.
  golden_tool.py names MANIFEST
      Print the name of every file of the manifest, one a line.
  golden_tool.py cli-check MANIFEST NAME EXIT STDOUT STDERR
      Check one `hftipc check` run against the manifest (exit status, status name, versions
      named in the message; docs/CLI.md).
  golden_tool.py cli-inspect MANIFEST NAME EXIT JSON
      Check one `hftipc inspect --json` run against the manifest.
Exit 0 when it matches; otherwise print why and exit 1.
"""
import json
import os
import re
import sys

# The manifest format is shared by every set (golden/v1.0, golden/v1.1, ...). Numeric fields
# the peers check through inspect and stats:
KEYS = ["format_major", "format_minor", "compat_flags", "incompat_flags", "capacity",
        "slot_size", "max_payload", "file_size", "head", "tail", "full_count",
        "abandoned_count", "producer_count",
        "producer_epoch", "producer_takeovers", "consumer_epoch", "consumer_takeovers"]
# What a reader must see when it uses the file (docs/INTEROP.md, "What is tested"): where the
# drain of a consumer stops, the abandoned claims it skipped by then, the head at which a new
# producer resumes.
USE_KEYS = ["drain_tail", "drain_abandoned", "drain_aborted", "resume_head"]
PROBE = "70726f6265"  # "probe"


def complete(f, doc):
    """Fill in, for a good file of a set older than these keys (golden/v1.0), the values that
    follow from its format: a 1.0 file is SPSC without commit words, so a consumer drains to
    head and skips nothing, a producer resumes at head, and an observer opened at head sees only
    the probe (FORMAT.md section 5)."""
    if f["expect"] != "HFTIPC_OK":
        return f
    f = dict(f)
    f.setdefault("drain_aborted", 0)  # skip records exist from format 1.2 on (FORMAT.md 2.5)
    if any(k not in f for k in ["abandoned_count", "producer_count"] + USE_KEYS + ["observed"]):
        if f["mode"] != "spsc" or f["incompat_flags"] & 1 or doc["format"] != "1.0":
            sys.exit(f"golden_tool: {f['name']}: the manifest lacks keys that only format 1.0 "
                     f"SPSC files may leave out")
        f.setdefault("abandoned_count", 0)
        f.setdefault("producer_count", 0)
        f.setdefault("drain_tail", f["head"])
        f.setdefault("drain_abandoned", 0)
        f.setdefault("resume_head", f["head"])
        f.setdefault("observed", [doc.get("probe", PROBE)])
    return f


def load(manifest, name=None):
    doc = json.load(open(manifest))
    files = [complete(f, doc) for f in doc["files"]]
    if name is None:
        return files
    for f in files:
        if f["name"] == name:
            return f
    sys.exit(f"golden_tool: {name} is not in {manifest}")


def cmd_expect(manifest, outdir):
    probe = json.load(open(manifest)).get("probe", PROBE)
    for f in load(manifest):
        with open(os.path.join(outdir, f["name"] + ".expect"), "w") as out:
            out.write(f"expect {f['expect']}\n")
            if f["expect"] == "HFTIPC_OK":
                out.write(f"mode {f['mode']}\n")
                for k in KEYS + USE_KEYS:
                    out.write(f"{k} {f[k]}\n")
                for m in f["messages"]:
                    out.write(f"msg {m['hex'] or '-'}\n")
                for h in f["observed"]:
                    out.write(f"obs {h or '-'}\n")
                out.write(f"probe {probe}\n")
    return 0


def cmd_names(manifest):
    for f in load(manifest):
        print(f["name"])
    return 0


def cmd_cli_check(manifest, name, exit_status, stdout, stderr):
    f = load(manifest, name)
    out, err, why = open(stdout).read(), open(stderr).read(), []
    if int(exit_status) != f["check_exit"]:
        why.append(f"exit status {exit_status}, want {f['check_exit']}")
    if f["expect"] == "HFTIPC_OK":
        want = f"ok (format {f['format_major']}.{f['format_minor']}, capacity {f['capacity']}, " \
               f"slot size {f['slot_size']};"
        if want not in out:
            why.append(f"stdout lacks {want!r}: {out!r}")
    else:
        if f"[{f['expect']}]" not in err:
            why.append(f"stderr does not name [{f['expect']}]: {err!r}")
        if f["check_exit"] == 3:  # too new: both versions must be named (docs/CLI.md)
            fv = f"format {f['format_major']}.{f['format_minor']}"
            if fv not in err:
                why.append(f"stderr does not name the file's version ({fv}): {err!r}")
            if not re.search(r"hftipc \d+\.\d+\.\d+", err):
                why.append(f"stderr does not name the library version: {err!r}")
    for w in why:
        print(f"{name}: hftipc check: {w}")
    return 1 if why else 0


def cmd_cli_inspect(manifest, name, exit_status, jsonfile):
    f = load(manifest, name)
    why = []
    try:
        j = json.loads(open(jsonfile).read())
    except ValueError as e:
        print(f"{name}: hftipc inspect --json: not JSON: {e}")
        return 1
    if int(exit_status) != f["check_exit"]:
        why.append(f"exit status {exit_status}, want {f['check_exit']}")
    ok = f["expect"] == "HFTIPC_OK"
    want = {"status": f["expect"], "valid": ok, "readable": ok}
    if ok:
        want.update({k: f[k] for k in KEYS if not k.startswith(("producer_", "consumer_"))})
        want["producer_count"] = f["producer_count"]
        # A consumer ahead of a head its killed producer never stored has no backlog
        # (FORMAT.md section 5; hftipc_info_t.backlog).
        want.update(format=f"{f['format_major']}.{f['format_minor']}", mode=f["mode"],
                    backlog=max(f["head"] - f["tail"], 0), created_ns=f["created_ns"],
                    creator_pid=f["creator_pid"])
        for role in ("producer", "consumer"):
            got = j.get(role, {})
            for k in ("epoch", "takeovers"):
                if got.get(k) != f[f"{role}_{k}"]:
                    why.append(f"{role}.{k} is {got.get(k)}, want {f[role + '_' + k]}")
            if got.get("pid") != 0 or got.get("liveness") != "none":
                why.append(f"{role} is {got}, want a free role")
        v = f["creator_version"]
        want["creator_version"] = f"{v // 10000}.{v // 100 % 100}.{v % 100}"
    elif "format_major" in f and f["file_bytes"] >= 4096:
        want["format"] = f"{f['format_major']}.{f['format_minor']}"
    for k, v in want.items():
        if j.get(k) != v:
            why.append(f"{k} is {j.get(k)!r}, want {v!r}")
    for w in why:
        print(f"{name}: hftipc inspect --json: {w}")
    return 1 if why else 0


def main(a):
    if len(a) == 3 and a[0] == "expect":
        return cmd_expect(a[1], a[2])
    if len(a) == 2 and a[0] == "names":
        return cmd_names(a[1])
    if len(a) == 6 and a[0] == "cli-check":
        return cmd_cli_check(*a[1:])
    if len(a) == 5 and a[0] == "cli-inspect":
        return cmd_cli_inspect(*a[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
