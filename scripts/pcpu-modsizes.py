#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""pcpu-modsizes.py - the per-CPU section (.data..percpu) of kernel modules.

Usage:
    scripts/pcpu-modsizes.py DIR [--source TEXT]   # every *.ko under DIR
    scripts/pcpu-modsizes.py FILE.ko ...           # these modules

Reads each ELF64 little-endian .ko's section headers (no library: the
ELF header, the section header table and the section name string table)
and prints CSV: module,percpu_bytes,align, one row per module that has a
non-empty .data..percpu section (the kernel's module loader allocates
sh_size bytes aligned to sh_addralign from the per-CPU module reserve;
a module without the section allocates nothing), sorted by module path.
Comment lines (#) before the header give the provenance: --source, the
number of modules read and the number with a section.

Exit: 0 ok, 1 a file is not a readable ELF64 module, 2 usage.
"""
import os
import struct
import sys


def percpu_section(path):
    """(size, align) of .data..percpu in @path, or None; ValueError if not ELF64 LE."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 64 or data[:4] != b'\x7fELF' or data[4] != 2 or data[5] != 1:
        raise ValueError('%s: not an ELF64 little-endian file' % path)
    shoff, = struct.unpack_from('<Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3a)
    if shentsize != 64 or shoff + shnum * 64 > len(data) or shstrndx >= shnum:
        raise ValueError('%s: bad section header table' % path)

    def sh(i):
        # name, type, flags, addr, offset, size, link, info, addralign, entsize
        return struct.unpack_from('<IIQQQQIIQQ', data, shoff + i * 64)
    strtab = sh(shstrndx)
    stroff, strsize = strtab[4], strtab[5]
    for i in range(shnum):
        s = sh(i)
        if s[0] >= strsize:
            continue
        end = data.index(b'\0', stroff + s[0])
        if data[stroff + s[0]:end] == b'.data..percpu':
            return (s[5], s[8] or 1)
    return None


def main(argv):
    source = None
    args = []
    i = 1
    while i < len(argv):
        if argv[i] == '--source' and i + 1 < len(argv):
            source = argv[i + 1]
            i += 2
            continue
        if argv[i] in ('-h', '--help'):
            print(__doc__)
            return 0
        args.append(argv[i])
        i += 1
    if not args:
        sys.stderr.write(__doc__)
        return 2
    files = []
    for a in args:
        if os.path.isdir(a):
            for root, _, names in os.walk(a):
                files += [os.path.join(root, n) for n in names if n.endswith('.ko')]
        else:
            files.append(a)
    rows = []
    for p in sorted(files):
        try:
            sec = percpu_section(p)
        except (OSError, ValueError) as e:
            sys.stderr.write('pcpu-modsizes.py: %s\n' % e)
            return 1
        if sec and sec[0] > 0:
            name = os.path.basename(p)[:-3]
            rows.append((name, sec[0], sec[1]))
    if source:
        print('# source: %s' % source)
    print('# modules read: %d; with a .data..percpu section: %d' % (len(files), len(rows)))
    print('module,percpu_bytes,align')
    for r in rows:
        print('%s,%d,%d' % r)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
