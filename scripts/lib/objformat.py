#!/usr/bin/env python3
"""Name the object format of executables and shared libraries from their header bytes.

    python3 scripts/lib/objformat.py FILE...     prints "FILE: FORMAT" per file
    import objformat; objformat.identify(data)   -> e.g. ("elf", "x86_64", "shared")

FORMAT is KIND-ARCH-TYPE: KIND elf, macho or pe; ARCH x86_64 or aarch64 (other machines are
printed as their number); TYPE shared (a library: ELF ET_DYN without an interpreter, Mach-O
MH_DYLIB, PE with IMAGE_FILE_DLL) or executable. The headers are read as the specifications lay
them out (the System V gABI ELF header, Apple's mach-o/loader.h, Microsoft's PE/COFF), so no
`file` command is needed. Exit status 1 if a file is none of them.
"""

import struct
import sys

ELF_MACHINES = {62: "x86_64", 183: "aarch64"}
MACHO_CPUS = {0x01000007: "x86_64", 0x0100000C: "aarch64"}
PE_MACHINES = {0x8664: "x86_64", 0xAA64: "aarch64"}


def _elf(data):
    if len(data) < 64 or data[4] != 2:  # ELFCLASS64 only: hftipc targets 64-bit machines
        return None
    endian = "<" if data[5] == 1 else ">"
    e_type, e_machine = struct.unpack_from(endian + "HH", data, 16)
    e_phoff = struct.unpack_from(endian + "Q", data, 32)[0]
    e_phentsize, e_phnum = struct.unpack_from(endian + "HH", data, 54)
    interp = False
    for i in range(e_phnum):
        off = e_phoff + i * e_phentsize
        if off + 4 <= len(data) and struct.unpack_from(endian + "I", data, off)[0] == 3:
            interp = True  # PT_INTERP: a (position-independent) executable, not a library
    kind = "shared" if e_type == 3 and not interp else "executable" if e_type in (2, 3) else None
    return ("elf", ELF_MACHINES.get(e_machine, str(e_machine)), kind or "type%d" % e_type)


def _macho(data):
    if len(data) < 16 or struct.unpack_from("<I", data, 0)[0] != 0xFEEDFACF:  # MH_MAGIC_64, LE
        return None
    cputype, _, filetype = struct.unpack_from("<iII", data, 4)
    kind = {6: "shared", 2: "executable"}.get(filetype, "type%d" % filetype)
    return ("macho", MACHO_CPUS.get(cputype & 0xFFFFFFFF, str(cputype)), kind)


def _pe(data):
    if len(data) < 64 or data[:2] != b"MZ":
        return None
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if pe + 24 > len(data) or data[pe:pe + 4] != b"PE\0\0":
        return None
    machine = struct.unpack_from("<H", data, pe + 4)[0]
    characteristics = struct.unpack_from("<H", data, pe + 22)[0]
    kind = "shared" if characteristics & 0x2000 else "executable"  # IMAGE_FILE_DLL
    return ("pe", PE_MACHINES.get(machine, hex(machine)), kind)


def identify(data):
    """(kind, arch, type) of the object whose bytes start with data, or None."""
    if data[:4] == b"\x7fELF":
        return _elf(data)
    return _macho(data) or _pe(data)


def main(paths):
    status = 0
    for p in paths:
        with open(p, "rb") as f:
            what = identify(f.read(1 << 20))
        if what is None:
            status = 1
        print("%s: %s" % (p, "-".join(what) if what else "not an ELF, Mach-O or PE file"))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]) if len(sys.argv) > 1 else __doc__)
