#!/usr/bin/env python3
"""Helpers of run.sh for the golden files (golden/<version>/manifest.json).

  golden_tool.py expect MANIFEST OUTDIR
      Write OUTDIR/NAME.expect for every file of the manifest: the plain "key value" lines the
      C, Go and Java peers read (`peer golden PATH NAME.expect`), so they need no JSON parser.
      Messages are "msg HEX" lines in order ("msg -" for an empty message).
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

KEYS = ["format_major", "format_minor", "compat_flags", "incompat_flags", "capacity",
        "slot_size", "max_payload", "file_size", "head", "tail", "full_count",
        "producer_epoch", "producer_takeovers", "consumer_epoch", "consumer_takeovers"]


def load(manifest, name=None):
    files = json.load(open(manifest))["files"]
    if name is None:
        return files
    for f in files:
        if f["name"] == name:
            return f
    sys.exit(f"golden_tool: {name} is not in {manifest}")


def cmd_expect(manifest, outdir):
    for f in load(manifest):
        with open(os.path.join(outdir, f["name"] + ".expect"), "w") as out:
            out.write(f"expect {f['expect']}\n")
            if f["expect"] == "HFTIPC_OK":
                for k in KEYS:
                    out.write(f"{k} {f[k]}\n")
                for m in f["messages"]:
                    out.write(f"msg {m['hex'] or '-'}\n")
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
        want.update({k: f[k] for k in KEYS if not k.startswith(("producer", "consumer"))})
        want.update(format=f"{f['format_major']}.{f['format_minor']}", mode=f["mode"],
                    backlog=f["head"] - f["tail"], created_ns=f["created_ns"],
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
    if len(a) == 6 and a[0] == "cli-check":
        return cmd_cli_check(*a[1:])
    if len(a) == 5 and a[0] == "cli-inspect":
        return cmd_cli_inspect(*a[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
