#!/usr/bin/env python3
"""scripts/lib/objformat.py names each object format, machine and kind from the header bytes.

Real files where this machine makes them (a shared library and a program built by cc), and
headers laid out field by field from the specifications for the formats it cannot make
(Mach-O: mach-o/loader.h; PE: the PE/COFF specification), each with the field that decides
changed, so that a reader that ignored the field would fail.

    python3 scripts/tests/objformat_test.py
"""

import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import objformat  # noqa: E402


def macho(cputype, filetype):
    # mach_header_64: magic, cputype, cpusubtype, filetype, ncmds, sizeofcmds, flags, reserved
    return struct.pack("<IiiIIIII", 0xFEEDFACF, cputype, 0, filetype, 0, 0, 0, 0)


def pe(machine, characteristics):
    dos = bytearray(0x40)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x40)  # e_lfanew: the PE header follows at once
    # "PE\0\0", then IMAGE_FILE_HEADER: Machine, NumberOfSections, TimeDateStamp,
    # PointerToSymbolTable, NumberOfSymbols, SizeOfOptionalHeader, Characteristics
    coff = b"PE\0\0" + struct.pack("<HHIIIHH", machine, 0, 0, 0, 0, 0, characteristics)
    return bytes(dos) + coff


class Synthetic(unittest.TestCase):
    def test_macho_machines_and_kinds(self):
        self.assertEqual(("macho", "x86_64", "shared"), objformat.identify(macho(0x01000007, 6)))
        self.assertEqual(("macho", "aarch64", "shared"), objformat.identify(macho(0x0100000C, 6)))
        self.assertEqual(("macho", "aarch64", "executable"), objformat.identify(macho(0x0100000C, 2)))
        self.assertEqual(("macho", "7", "shared"), objformat.identify(macho(7, 6)))  # 32-bit x86

    def test_pe_machines_and_the_dll_flag(self):
        self.assertEqual(("pe", "x86_64", "shared"), objformat.identify(pe(0x8664, 0x2022)))
        self.assertEqual(("pe", "x86_64", "executable"), objformat.identify(pe(0x8664, 0x0022)))
        self.assertEqual(("pe", "aarch64", "shared"), objformat.identify(pe(0xAA64, 0x2022)))
        self.assertEqual(("pe", "0x14c", "shared"), objformat.identify(pe(0x14C, 0x2022)))  # i386

    def test_not_an_object(self):
        for data in (b"", b"#!/bin/sh\n", b"MZ" + bytes(62), b"\x7fELF\x01" + bytes(59),
                     struct.pack("<I", 0xFEEDFACE) + bytes(28)):  # 32-bit Mach-O
            with self.subTest(data=data[:8]):
                self.assertIsNone(objformat.identify(data))


@unittest.skipUnless(shutil.which("cc"), "no cc to build real ELF files with")
class RealElf(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="hftipc-objformat.")
        self.addCleanup(shutil.rmtree, self.dir)
        src = os.path.join(self.dir, "a.c")
        with open(src, "w") as f:
            f.write("int f(void) { return 1; }\nint main(void) { return f() - 1; }\n")
        self.lib = os.path.join(self.dir, "liba.so")
        self.exe = os.path.join(self.dir, "a")
        subprocess.run(["cc", "-shared", "-fPIC", "-o", self.lib, src], check=True)
        subprocess.run(["cc", "-o", self.exe, src], check=True)  # a PIE on Debian: ET_DYN too

    def test_a_shared_library_and_a_program_of_this_machine(self):
        arch = {"x86_64": "x86_64", "aarch64": "aarch64"}.get(os.uname().machine, None)
        with open(self.lib, "rb") as f:
            lib = objformat.identify(f.read())
        with open(self.exe, "rb") as f:
            exe = objformat.identify(f.read())
        self.assertEqual("shared", lib[2])
        self.assertEqual("executable", exe[2], "a PIE has an interpreter: a program")
        if arch:
            self.assertEqual(("elf", arch), lib[:2])
            self.assertEqual(("elf", arch), exe[:2])


if __name__ == "__main__":
    unittest.main(verbosity=2)
