# -*- coding: utf-8 -*-
"""What the XAPI double does to a host's tree, as the host itself would: the modules a boot
loads (<root>/proc/modules and <root>/sys/module/M/, the copy that wins as the real binary
says, its build-id note read from the ELF file) and the plugin's busy-lock held by a running
operation. Python 2.7 and 3.6+."""
from __future__ import print_function

import fcntl
import json
import os
import struct
import subprocess
import threading

# The plugin's DEFAULT_LOCK under XCPNG_MOD_ROOT (packaging/xapi-plugin/xcpng-mod lock_path).
PLUGIN_LOCK = 'var/lib/xcpng-mod/xapi-plugin.lock'


def mkdirs(path):
    if not os.path.isdir(path):
        os.makedirs(path)


def write(path, data):
    mkdirs(os.path.dirname(path))
    with open(path, 'wb') as f:
        f.write(data)


# -- the loaded modules of a host tree ----------------------------------------------------------
def elf_section(path, wanted):
    """The bytes of section `wanted` of an ELF64 little-endian file, or None."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:4] != b'\x7fELF' or data[4:6] != b'\x02\x01':
        return None
    shoff, = struct.unpack_from('<Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3a)

    def header(i):
        o = shoff + i * shentsize
        name, = struct.unpack_from('<I', data, o)
        offset, size = struct.unpack_from('<QQ', data, o + 24)
        return name, offset, size

    _, strtab, _ = header(shstrndx)
    for i in range(shnum):
        name, offset, size = header(i)
        start = strtab + name
        if data[start:data.index(b'\0', start)] == wanted:
            return data[offset:offset + size]
    return None


def build_id_note(ko, build_id):
    """The module's .note.gnu.build-id; for a compressed copy, made from the build-id the
    binary read (the section is that one note: namesz, descsz, type 3, "GNU\\0", desc)."""
    note = elf_section(ko, b'.note.gnu.build-id')
    if note is None and build_id:
        desc = bytearray.fromhex(build_id)
        note = struct.pack('<III', 4, len(desc), 3) + b'GNU\0' + bytes(desc)
    return note


def write_loaded(binary, root, names):
    """Load `names` as a boot would: the copies that win, as the real binary says."""
    p = subprocess.Popen([binary, '--root', root, '--json', 'modules'] + list(names),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate()
    try:
        doc = json.loads(out.decode('utf-8'))
    except ValueError:
        raise RuntimeError('modules {}: {}'.format(names, err.decode('utf-8', 'replace')))
    lines = []
    for m in doc['modules']:
        win = m['winner']
        ko = os.path.join(root, win['path'].lstrip('/'))
        copy = [c for c in m['copies'] if c['path'] == win['path']] or [{}]
        sysdir = os.path.join(root, 'sys/module', m['name'])
        note = build_id_note(ko, copy[0].get('build_id'))
        if note is not None:
            write(os.path.join(sysdir, 'notes/.note.gnu.build-id'), note)
        for field, value in (('version', win.get('version')),
                             ('srcversion', copy[0].get('srcversion'))):
            if value:
                write(os.path.join(sysdir, field), (value + '\n').encode('utf-8'))
        lines.append('{} {} 0 - Live 0x0000000000000000\n'.format(
            m['name'], os.path.getsize(ko)))
    write(os.path.join(root, 'proc/modules'), ''.join(lines).encode('utf-8'))
    # The kernel that booted: the one the binary read the modules of.
    write(os.path.join(root, 'proc/sys/kernel/osrelease'),
          (doc['kernel'] + '\n').encode('utf-8'))


def hold_plugin_lock(root, seconds):
    """Hold the plugin's busy-lock as a running `update` would, for `seconds`."""
    path = os.path.join(root, PLUGIN_LOCK)
    mkdirs(os.path.dirname(path))
    f = open(path, 'a+')
    fcntl.flock(f.fileno(), fcntl.LOCK_EX)
    f.seek(0)
    f.truncate()
    f.write('update\n')
    f.flush()

    def release():
        f.seek(0)
        f.truncate()
        f.flush()
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
        f.close()
    t = threading.Timer(seconds, release)
    t.daemon = True
    t.start()
