#!/usr/bin/env python3
"""Compare channel files field by field, masking exactly the volatile fields of docs/FORMAT.md.

usage: compare_files.py [--format-md PATH] REFERENCE OTHER...
       compare_files.py [--format-md PATH] --dump FILE
       compare_files.py [--format-md PATH] --fields

The first form decodes REFERENCE and each OTHER with the layout of docs/FORMAT.md section 2
and compares every field: the identity, producer, consumer and wait blocks, both holder
records, the 16 MPSC producer records, every reserved byte, every slot header (length, commit)
and every slot's bytes, including those beyond a message's length (unspecified by section 2.5,
but written by the same C code in every binding, so they must agree too). Only the fields
FORMAT.md marks **V** are skipped (section 1: "byte-for-byte comparisons of files mask exactly
these fields and nothing else"). It prints each difference by field name, with its value in
both files, its FORMAT.md section and offset, e.g.

    head: 40 vs 41 (FORMAT.md 2.2, offset 128)
    reserved byte at offset 150 (producer block, FORMAT.md 2.2): 0x00 vs 0x01
    slot 5 payload byte 52 (beyond length 31): 0x00 vs 0x7f (FORMAT.md 2.5, offset 4468)

and exits 1 if any file differs, 0 if none does, 2 on a usage error or when FORMAT.md's tables
cannot be read as a complete layout. --dump prints every field of one file; --fields prints the
field table.

The field table is not copied here: it is read from FORMAT.md's layout tables each run (their
offset, type and field columns, the **V** marks, the record bases in the headings of sections
2.4 and 2.7, and the "Bytes N to M are reserved" sentences), and must tile the 4096-byte header
exactly. interop-tests/test_compare_files.py checks that table against the C structs of
core/src/format.h, field by field, so FORMAT.md, the C layout and this tool cannot drift apart.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FORMAT_MD = os.path.join(os.path.dirname(HERE), "docs", "FORMAT.md")
HEADER_SIZE = 4096  # FORMAT.md 2.1, header_size: offset of slot 0
TYPE_SIZES = {"u16": 2, "u32": 4, "u64": 8}


class LayoutError(Exception):
    """FORMAT.md's tables do not describe a complete, consistent layout."""


class Field:
    """One field: `off` from the start of the file (header) or of a slot (slot fields)."""

    def __init__(self, off, size, name, section, kind, volatile=False, reserved=False,
                 c_name=None):
        self.off, self.size, self.name, self.section = off, size, name, section
        self.kind = kind  # "int", "bytes" (magic, reserved) or "payload" (slot, variable)
        self.volatile, self.reserved = volatile, reserved
        self.c_name = c_name  # the member in core/src/format.h (test_compare_files.py)

    def __repr__(self):
        flags = " V" if self.volatile else ""
        size = "var" if self.size is None else self.size
        return f"{self.off:5d} {size:>5}  {self.name}{flags}  (FORMAT.md {self.section})"


def _rows(body):
    """The rows of the first table in `body`: (header cells, [row cells...])."""
    lines = [ln.strip() for ln in body.splitlines() if ln.strip().startswith("|")]
    if len(lines) < 3:
        return None, []
    cells = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]
    return cells[0], [c for c in cells[2:] if len(c) >= 4]


def _field(cells, base, prefix, section, block, c_prefix):
    off_s, typ, col, meaning = cells[0], cells[1], cells[2], cells[3]
    off = int(off_s) + base
    volatile = "**V**" in col
    m = re.search(r"`(\w+)`", col) or re.fullmatch(r"(\w+)", col)
    if col.startswith("reserved"):
        n = re.match(r"(\d+) bytes", meaning)
        if not n:
            raise LayoutError(f"section {section}: reserved row at {off_s} gives no size")
        return Field(off, int(n.group(1)), f"{block} reserved", section, "bytes", reserved=True)
    if not m:
        raise LayoutError(f"section {section}: row at offset {off_s} names no field: {col!r}")
    name = m.group(1)
    typ = typ.replace("*atomic*", "").strip()
    if typ in TYPE_SIZES:
        size, kind = TYPE_SIZES[typ], "int"
    elif re.fullmatch(r"u8\[(\d+)\]", typ):
        size, kind = int(re.fullmatch(r"u8\[(\d+)\]", typ).group(1)), "bytes"
    elif typ == "u8[]":
        size, kind = None, "payload"
    else:
        raise LayoutError(f"section {section}: field {name}: unknown type {typ!r}")
    return Field(off, size, f"{prefix}{name}", section, kind, volatile=volatile,
                 c_name=c_prefix + name)


def load_layout(path=FORMAT_MD):
    """(header fields sorted by offset, slot fields) read from FORMAT.md section 2."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    parts = re.split(r"^### (2\.\d+) (.*)$", text, flags=re.M)
    sections = {parts[i]: (parts[i + 1], parts[i + 2]) for i in range(1, len(parts) - 2, 3)}
    header, slot, records = [], [], {}
    for sec, (title, body) in sections.items():
        body = re.split(r"^## ", body, flags=re.M)[0]  # stop at the next top-level section
        block = re.sub(r"\s*\(.*$", "", title).strip().lower()
        for a, b in re.findall(r"Bytes\s+(\d+)\s+to\s+(\d+)\s+are\s+reserved", body):
            header.append(Field(int(a), int(b) - int(a) + 1, "header reserved", sec, "bytes",
                                reserved=True))
        head, rows = _rows(body)
        if head is None:
            continue
        if head[0] == "offset":
            header += [_field(r, 0, "", sec, block, "") for r in rows]
        elif head[0] == "offset in slot":
            slot += [_field(r, 0, "", sec, "slot", "") for r in rows]
        elif head[0] == "offset in record":
            records[sec] = (title, rows)
        else:
            raise LayoutError(f"section {sec}: unknown table kind {head[0]!r}")
    # Record tables are placed where headings say: "offset 384: producer; offset 512: consumer"
    # (2.4) and "offset 1024, 16 records of 128 bytes" with "layout of section 2.4" (2.7).
    for sec, (title, body) in sections.items():
        layout = sec if sec in records else None
        m = re.search(r"layout of section (2\.\d+)", body)
        if layout is None and m:
            layout = m.group(1)
        if layout is None:
            continue
        if layout not in records:
            raise LayoutError(f"section {sec} uses the record layout of {layout}, which has none")
        rows = records[layout][1]
        places = [(int(o), f"{who} holder ", f"{who}_holder.")
                  for o, who in re.findall(r"offset (\d+): (\w+)", title)]
        t = re.search(r"offset (\d+), (\d+) records of (\d+) bytes", title)
        if t:
            base, n, size = (int(x) for x in t.groups())
            places += [(base + i * size, f"mpsc producer {i} ", f"mpsc_producers[{i}].")
                       for i in range(n)]
        for base, prefix, c_prefix in places:
            for r in rows:
                f = _field(r, base, prefix, f"{layout}" + ("" if sec == layout else f", {sec}"),
                           prefix.strip(), c_prefix)
                header.append(f)
    header.sort(key=lambda f: f.off)
    at = 0
    for f in header:
        if f.size is None:
            raise LayoutError(f"{f.name}: a header field of variable size")
        if f.off != at:
            what = "overlaps the previous field" if f.off < at else f"leaves bytes {at} to " \
                f"{f.off - 1} undescribed"
            raise LayoutError(f"FORMAT.md section 2: {f.name} at offset {f.off} {what}")
        at = f.off + f.size
    if at != HEADER_SIZE:
        raise LayoutError(f"FORMAT.md section 2 describes {at} header bytes, not {HEADER_SIZE}")
    slot.sort(key=lambda f: f.off)
    if not slot or slot[-1].kind != "payload":
        raise LayoutError("FORMAT.md section 2.5 has no payload field")
    return header, slot


def _value(f, data, base=0):
    raw = data[base + f.off:base + f.off + f.size]
    if len(raw) < f.size:
        return None  # beyond the end of this file
    return int.from_bytes(raw, "little") if f.kind == "int" else bytes(raw)


def _show(v):
    if v is None:
        return "(past the end of the file)"
    return v.hex() if isinstance(v, bytes) else str(v)


def _geometry(header, data):
    """(capacity, slot_size) from a file's header, or None when they cannot place slots."""
    get = {f.name: f for f in header}
    cap, ss = _value(get["capacity"], data), _value(get["slot_size"], data)
    if not cap or not ss or cap & (cap - 1) or ss < 16:
        return None
    return cap, ss


def compare(ref, other, layout):
    """Every difference between two files' bytes, by field, outside the volatile fields."""
    header, slot = layout
    diffs = []
    if len(ref) != len(other):
        diffs.append(f"file size: {len(ref)} vs {len(other)} bytes")
    for f in header:
        if f.volatile:
            continue
        a, b = _value(f, ref), _value(f, other)
        if a == b:
            continue
        if f.reserved and a is not None and b is not None:
            for i in range(f.size):
                if a[i] != b[i]:
                    block = f.name.replace(" reserved", "")
                    diffs.append(f"reserved byte at offset {f.off + i} ({block}, FORMAT.md "
                                 f"{f.section}): 0x{a[i]:02x} vs 0x{b[i]:02x}")
        else:
            diffs.append(f"{f.name}: {_show(a)} vs {_show(b)} (FORMAT.md {f.section}, "
                         f"offset {f.off})")
    geo = _geometry(header, ref)
    end = min(len(ref), len(other))
    if geo is None:
        if ref[HEADER_SIZE:end] != other[HEADER_SIZE:end]:
            diffs.append("bytes after the header differ (the reference has no valid geometry)")
        return diffs
    cap, ss = geo
    fixed = [f for f in slot if f.kind != "payload"]
    payload = slot[-1]
    for i in range((max(end, HEADER_SIZE) - HEADER_SIZE + ss - 1) // ss):
        base = HEADER_SIZE + i * ss
        name = f"slot {i}" if i < cap else f"bytes past slot {cap - 1} (slot {i} of the geometry)"
        for f in fixed:
            a, b = _value(f, ref, base), _value(f, other, base)
            if a != b and a is not None and b is not None:
                diffs.append(f"{name} {f.name}: {_show(a)} vs {_show(b)} (FORMAT.md {f.section}, "
                             f"offset {base + f.off})")
        lo, hi = base + payload.off, min(base + ss, end)
        if ref[lo:hi] != other[lo:hi]:
            k = next(j for j in range(lo, hi) if ref[j] != other[j])
            length = _value(fixed[0], ref, base) if fixed and fixed[0].name == "length" else None
            beyond = "" if length is None or k - lo < length else f" (beyond length {length})"
            diffs.append(f"{name} payload byte {k - lo}{beyond}: 0x{ref[k]:02x} vs "
                         f"0x{other[k]:02x} (FORMAT.md {payload.section}, offset {k})")
    return diffs


def dump(data, layout):
    header, slot = layout
    out = []
    for f in header:
        v = _value(f, data)
        if f.reserved:
            nz = [f.off + i for i, x in enumerate(v or b"") if x]
            shown = "zero" if not nz else f"non-zero at offsets {nz}"
        else:
            shown = _show(v)
        out.append(f"{f.off:5d} {f.name}{' (V)' if f.volatile else ''} = {shown}")
    geo = _geometry(header, data)
    if geo:
        cap, ss = geo
        for i in range(min(cap, max(0, len(data) - HEADER_SIZE) // ss)):
            base = HEADER_SIZE + i * ss
            vals = ", ".join(f"{f.name} {_show(_value(f, data, base))}" for f in slot
                             if f.kind != "payload")
            out.append(f"{base:5d} slot {i}: {vals}")
    return out


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def main(argv):
    args = argv[1:]
    path = FORMAT_MD
    if len(args) >= 2 and args[0] == "--format-md":
        path, args = args[1], args[2:]
    try:
        layout = load_layout(path)
    except (LayoutError, OSError) as e:
        print(f"compare_files: cannot read the layout from {path}: {e}", file=sys.stderr)
        return 2
    if args == ["--fields"]:
        for f in layout[0] + layout[1]:
            print(f)
        return 0
    if len(args) == 2 and args[0] == "--dump":
        print("\n".join(dump(_read(args[1]), layout)))
        return 0
    if len(args) < 2 or args[0].startswith("--"):
        print(__doc__, file=sys.stderr)
        return 2
    ref = _read(args[0])
    bad = 0
    for other in args[1:]:
        diffs = compare(ref, _read(other), layout)
        if diffs:
            bad += 1
            print(f"{other} differs from {args[0]} in {len(diffs)} place(s):")
            for d in diffs:
                print(f"  {d}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
