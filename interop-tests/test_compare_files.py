#!/usr/bin/env python3
"""Tests of compare_files.py: its field table against the C layout, and its comparisons.

usage: test_compare_files.py [-v]      (run.sh runs it; exit 0 when every test passes)

The field table of compare_files.py is read from docs/FORMAT.md. These tests compile a small C
program against core/src/format.h that prints offsetof() and sizeof() of every member of the
header, holder and slot structs (the members are read from format.h, so nothing is listed here
by hand), and require both layouts to be the same: every field FORMAT.md names is the C member
of that name at the same offset with the same size, every C member that is not padding is a
field FORMAT.md names, and C padding lies only in bytes FORMAT.md calls reserved. Then they
change every field of a real golden file in turn and check what the comparator reports.
Environment: CC (default cc).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import compare_files as cf  # noqa: E402

FORMAT_H = os.path.join(ROOT, "core", "src", "format.h")
GOLDEN = os.path.join(HERE, "golden", "v1.1", "mpsc-abandoned-c8-s64.chan")
RESERVED_C = re.compile(r"reserved|^pad$")


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def c_members(text, struct):
    """(type, name) of each member of `typedef struct STRUCT { ... } STRUCT;` in format.h."""
    m = re.search(r"typedef struct %s \{(.*?)\n\} %s;" % (struct, struct), text, re.S)
    if not m:
        raise AssertionError(f"{FORMAT_H} has no struct {struct}")
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    out = []
    for decl in body.split(";"):
        decl = decl.strip()
        if not decl:
            continue
        d = re.fullmatch(r"([A-Za-z_]\w*)\s+([A-Za-z_]\w*)\s*(\[[^\]]+\])?", decl)
        if not d:
            raise AssertionError(f"cannot read the member declaration {decl!r} of {struct}")
        out.append((d.group(1), d.group(2)))
    return out


def c_layout(tmp):
    """Leaf members of the C header and slot: {c_name: (offset, size)}, from the compiler."""
    text = read(FORMAT_H)
    structs = {s: c_members(text, s) for s in ("hftipc__header", "hftipc__holder", "hftipc__slot")}
    prog = ["#include <stddef.h>", "#include <stdio.h>", '#include "format.h"',
            "#define M(S, m) printf(#S \" \" #m \" %zu %zu\\n\", offsetof(S, m), "
            "sizeof(((S *)0)->m))", "int main(void)", "{"]
    for s, members in structs.items():
        prog += [f"    M({s}, {name});" for _, name in members]
        prog.append(f'    printf("sizeof {s} %zu\\n", sizeof({s}));')
    prog += ["    return 0;", "}"]
    src = os.path.join(tmp, "layout.c")
    exe = os.path.join(tmp, "layout")
    with open(src, "w") as f:
        f.write("\n".join(prog) + "\n")
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-std=c11", "-DHFTIPC_STATIC_BUILD",
                    "-I", os.path.join(ROOT, "core", "include"),
                    "-I", os.path.join(ROOT, "core", "src"), src, "-o", exe], check=True)
    got, sizes = {}, {}
    printed = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    for line in printed.splitlines():
        a, b, c = line.split()[:3]
        if a == "sizeof":
            sizes[b] = int(c)
        else:
            got[(a, b)] = (int(c), int(line.split()[3]))
    types = {s: dict((n, t) for t, n in m) for s, m in structs.items()}
    hsize = sizes["hftipc__holder"]
    leaves = {}
    for _, name in structs["hftipc__header"]:
        off, size = got[("hftipc__header", name)]
        if types["hftipc__header"][name] == "hftipc__holder":
            n = size // hsize
            for i in range(n):
                rec = f"{name}[{i}]" if size != hsize else name
                for _, inner in structs["hftipc__holder"]:
                    o, s = got[("hftipc__holder", inner)]
                    leaves[f"{rec}.{inner}"] = (off + i * hsize + o, s)
        else:
            leaves[name] = (off, size)
    slot = {name: got[("hftipc__slot", name)] for _, name in structs["hftipc__slot"]}
    return leaves, slot, sizes


def layout_problems(layout, leaves, slot, sizes):
    """Every disagreement between a FORMAT.md layout and the C layout, as text."""
    header, slot_fields = layout
    why = []
    if sizes["hftipc__header"] != cf.HEADER_SIZE:
        why.append(f"sizeof(hftipc__header) is {sizes['hftipc__header']}")
    named = {f.c_name: f for f in header if not f.reserved}
    for c_name, f in named.items():
        if c_name not in leaves:
            why.append(f"FORMAT.md field {f.name} (offset {f.off}) is no member {c_name} in "
                       f"format.h")
        elif leaves[c_name] != (f.off, f.size):
            why.append(f"{f.name}: FORMAT.md offset {f.off} size {f.size}, format.h "
                       f"offset {leaves[c_name][0]} size {leaves[c_name][1]}")
    reserved = set()
    for f in header:
        if f.reserved:
            reserved.update(range(f.off, f.off + f.size))
    for c_name, (off, size) in leaves.items():
        leaf = c_name.split(".")[-1]
        if RESERVED_C.search(leaf):
            outside = [b for b in range(off, off + size) if b not in reserved]
            if outside:
                why.append(f"format.h padding {c_name} covers bytes {outside[0]}.. that FORMAT.md "
                           f"does not call reserved")
        elif c_name not in named:
            why.append(f"format.h member {c_name} (offset {off}) is not in FORMAT.md's tables")
    fixed = [f for f in slot_fields if f.kind != "payload"]
    if {f.name: (f.off, f.size) for f in fixed} != slot:
        doc = [(f.name, f.off, f.size) for f in fixed]
        why.append(f"slot header: FORMAT.md {doc}, format.h {slot}")
    if sizes["hftipc__slot"] != slot_fields[-1].off:
        why.append(f"payload at {slot_fields[-1].off}, but sizeof(hftipc__slot) is "
                   f"{sizes['hftipc__slot']}")
    return why


class TableMatchesC(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hftipc-layout-")
        cls.leaves, cls.slot, cls.sizes = c_layout(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def doctored(self, old, new, path=None):
        """A copy of FORMAT.md (or of the copy at `path`) with `old` replaced by `new`."""
        text = read(path or cf.FORMAT_MD)
        self.assertIn(old, text)
        path = os.path.join(self.tmp, "FORMAT.md")
        with open(path, "w") as f:
            f.write(text.replace(old, new, 1))
        return path

    def test_format_md_tables_match_format_h(self):
        why = layout_problems(cf.load_layout(), self.leaves, self.slot, self.sizes)
        self.assertEqual(why, [], "\n".join(why))

    def test_every_header_byte_and_record_is_described(self):
        header, _ = cf.load_layout()
        self.assertEqual(sum(f.size for f in header), cf.HEADER_SIZE)
        self.assertEqual(len([f for f in header if f.name.endswith(" owner")]), 2 + 16)

    def test_moved_fields_in_format_md_are_caught(self):
        # head and full_count swapped: the table still tiles the header, so only the
        # comparison with format.h can catch it.
        path = self.doctored("| 128 | u64 *atomic* | `head`", "| 136 | u64 *atomic* | `head`")
        path = self.doctored("| 136 | u64 *atomic* | `full_count`",
                             "| 128 | u64 *atomic* | `full_count`", path)
        why = layout_problems(cf.load_layout(path), self.leaves, self.slot, self.sizes)
        self.assertEqual(len(why), 2, why)
        self.assertIn("head: FORMAT.md offset 136 size 8, format.h offset 128 size 8", why)

    def test_a_field_format_h_lacks_is_caught(self):
        path = self.doctored("| 52 | — | reserved | 4 bytes. |", "| 52 | u32 | `spare` | x |")
        why = layout_problems(cf.load_layout(path), self.leaves, self.slot, self.sizes)
        self.assertTrue(any("spare" in w for w in why), why)

    def test_a_gap_in_format_md_is_refused(self):
        path = self.doctored("| 144 | — | reserved | 112 bytes. |",
                             "| 144 | — | reserved | 104 bytes. |")
        with self.assertRaisesRegex(cf.LayoutError, "bytes 248 to 255 undescribed"):
            cf.load_layout(path)

    def test_a_lost_volatile_mark_is_seen(self):
        path = self.doctored("| 64 | u32 | `creator_pid` **V** |", "| 64 | u32 | `creator_pid` |")
        header, _ = cf.load_layout(path)
        self.assertFalse(next(f for f in header if f.name == "creator_pid").volatile)


class Comparisons(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.layout = cf.load_layout()
        cls.ref = read(GOLDEN, "rb")

    def diffs(self, other):
        return cf.compare(self.ref, bytes(other), self.layout)

    def test_identical_files_agree(self):
        self.assertEqual(self.diffs(self.ref), [])

    def test_only_volatile_fields_are_masked(self):
        header, _ = self.layout
        vol = [f for f in header if f.volatile]
        # created_ns, creator_pid, and owner, pidns, acquired_ns, heartbeat_ns of 18 records
        self.assertEqual(len(vol), 2 + 4 * 18)
        b = bytearray(self.ref)
        for f in vol:
            b[f.off:f.off + f.size] = bytes([0xA5]) * f.size
        self.assertEqual(self.diffs(b), [])

    def test_every_other_field_is_reported_by_name(self):
        header, _ = self.layout
        for f in header:
            if f.volatile or f.reserved:
                continue
            b = bytearray(self.ref)
            b[f.off] ^= 0x01
            d = self.diffs(b)
            self.assertEqual(len(d), 1, f"{f.name}: {d}")
            self.assertTrue(d[0].startswith(f.name + ":"), f"{f.name}: {d}")
            self.assertIn(f"offset {f.off})", d[0])

    def test_every_reserved_byte_is_reported_with_its_offset(self):
        header, _ = self.layout
        for f in header:
            if not f.reserved:
                continue
            for off in (f.off, f.off + f.size - 1):
                b = bytearray(self.ref)
                b[off] = 0x5A
                d = self.diffs(b)
                self.assertEqual(len(d), 1, f"{f.name}: {d}")
                self.assertIn(f"reserved byte at offset {off} ", d[0])
                self.assertIn("0x00 vs 0x5a", d[0])

    def test_slot_headers_and_payload_are_compared(self):
        b = bytearray(self.ref)
        b[4096 + 64 * 2 + 4] ^= 1  # slot 2 commit
        b[4096 + 64 * 3] ^= 1  # slot 3 length
        b[4096 + 64 * 5 + 8 + 40] ^= 1  # slot 5 payload byte 40, beyond its length 12
        d = self.diffs(b)
        self.assertEqual(len(d), 3, d)
        self.assertTrue(d[0].startswith("slot 2 commit: 11 vs 10"), d)
        self.assertTrue(d[1].startswith("slot 3 length: 55 vs 54"), d)
        self.assertTrue(d[2].startswith("slot 5 payload byte 40 (beyond length 12)"), d)

    def test_a_shorter_file_is_reported(self):
        d = self.diffs(self.ref[:-64])
        self.assertEqual(d, ["file size: 4608 vs 4544 bytes"])

    def test_the_command_line_exits_1_and_names_the_field(self):
        with tempfile.NamedTemporaryFile(suffix=".chan") as t:
            b = bytearray(self.ref)
            b[1336] ^= 0xFF  # mpsc producer 2 pending_first
            t.write(b)
            t.flush()
            tool = os.path.join(HERE, "compare_files.py")
            r = subprocess.run([sys.executable, tool, GOLDEN, t.name], capture_output=True,
                               text=True)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("mpsc producer 2 pending_first: 9 vs 246 (FORMAT.md 2.4, 2.7, offset 1336)",
                      r.stdout)


if __name__ == "__main__":
    unittest.main()
