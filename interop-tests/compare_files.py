#!/usr/bin/env python3
"""Compare channel files byte for byte, masking exactly the volatile fields of docs/FORMAT.md.

usage: compare_files.py REFERENCE OTHER...

Exit 0 if every OTHER equals REFERENCE outside the volatile fields; otherwise print, for each
differing file, the first differing offset and the FORMAT.md field it belongs to, and exit 1.

The volatile fields are the ones FORMAT.md marks **V** (section 1: "byte-for-byte comparisons of
files mask exactly these fields and nothing else"). They are listed once, in VOLATILE below.
Nothing else is masked: not the reserved bytes, not `creator_version`, and not the slot bytes
beyond a message's `length` (unspecified by section 2.5, but written by the same C code in every
language, so they must agree too).
"""
import sys

HEADER_SIZE = 4096  # FORMAT.md 2.1, header_size

# (offset, size, field, FORMAT.md section). The single source of the masked bytes: every field
# FORMAT.md marks **V**, in every minor version (format 1.0 writes heartbeat_ns as zero).
VOLATILE = [
    (56, 8, "created_ns", "2.1"),
    (64, 4, "creator_pid", "2.1"),
    (384 + 0, 8, "producer holder owner", "2.4"),
    (384 + 16, 8, "producer holder pidns", "2.4"),
    (384 + 24, 8, "producer holder acquired_ns", "2.4"),
    (384 + 40, 8, "producer holder heartbeat_ns", "2.4, format 1.1"),
    (512 + 0, 8, "consumer holder owner", "2.4"),
    (512 + 16, 8, "consumer holder pidns", "2.4"),
    (512 + 24, 8, "consumer holder acquired_ns", "2.4"),
    (512 + 40, 8, "consumer holder heartbeat_ns", "2.4, format 1.1"),
]

# Every field of the header (FORMAT.md section 2), to name the offset of a difference.
FIELDS = [
    (0, 8, "magic", "2.1"), (8, 2, "format_major", "2.1"), (10, 2, "format_minor", "2.1"),
    (12, 4, "header_size", "2.1"), (16, 8, "compat_flags", "2.1"),
    (24, 8, "incompat_flags", "2.1"), (32, 4, "capacity", "2.1"), (36, 4, "slot_size", "2.1"),
    (40, 4, "mode", "2.1"), (44, 4, "init_state", "2.1"), (48, 8, "file_size", "2.1"),
    (56, 8, "created_ns", "2.1"), (64, 4, "creator_pid", "2.1"),
    (68, 4, "creator_version", "2.1"), (72, 56, "identity reserved", "2.1"),
    (128, 8, "head", "2.2"), (136, 8, "full_count", "2.2"), (144, 112, "producer reserved", "2.2"),
    (256, 8, "tail", "2.3"), (264, 120, "consumer reserved", "2.3"),
]
for base, who in ((384, "producer"), (512, "consumer")):
    FIELDS += [(base + o, n, f"{who} holder {f}", "2.4") for o, n, f in (
        (0, 8, "owner"), (8, 8, "epoch"), (16, 8, "pidns"), (24, 8, "acquired_ns"),
        (32, 8, "takeovers"), (40, 8, "heartbeat_ns"), (48, 4, "wake_capable"),
        (52, 76, "reserved"))]
FIELDS += [(640, 4, "consumer_waiting", "2.6"), (644, 4, "producer_waiting", "2.6"),
           (648, 120, "wait block reserved", "2.6"),
           (768, HEADER_SIZE - 768, "header reserved", "2.6")]


def field_name(off, header):
    """Name the field at byte offset `off`, using the geometry in `header` for slots."""
    for start, size, name, sec in FIELDS:
        if start <= off < start + size:
            return f"{name} (FORMAT.md {sec}, offset {start}, byte {off - start})"
    slot_size = int.from_bytes(header[36:40], "little") or 1
    idx, inslot = divmod(off - HEADER_SIZE, slot_size)
    if inslot < 4:
        part = "length"
    elif inslot < 8:
        part = "commit (format 1.1; reserved in 1.0)"
    else:
        length = int.from_bytes(header[HEADER_SIZE + idx * slot_size:][:4], "little")
        part = f"payload byte {inslot - 8}" + ("" if inslot - 8 < length else
                                               f" (beyond length {length})")
    return f"slot {idx} {part} (FORMAT.md 2.5)"


def masked(data):
    b = bytearray(data)
    for off, size, _, _ in VOLATILE:
        b[off:off + size] = bytes(size)
    return b


def compare(ref_path, other_path):
    ref = open(ref_path, "rb").read()
    other = open(other_path, "rb").read()
    a, b = masked(ref), masked(other)
    if a == b:
        return None
    n = min(len(a), len(b))
    off = next((i for i in range(n) if a[i] != b[i]), n)
    if off == n:
        return f"sizes differ: {len(ref)} vs {len(other)} bytes"
    return (f"first difference at offset {off}: {field_name(off, ref)}: "
            f"0x{ref[off]:02x} vs 0x{other[off]:02x}")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    bad = 0
    for other in argv[2:]:
        why = compare(argv[1], other)
        if why:
            print(f"{other} differs from {argv[1]}: {why}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
