"""Opens a region that a C# client created, checks its bytes and writes new ones.

usage: interop.py PROTO_ROOT STUB_DIR SOCKET_DIR NAME SEED_IN SEED_OUT

The pattern is the one tests/Mapd.TestClient/Pattern.cs writes: each little-endian 64-bit
word holds its own byte offset XOR (seed * 0x9E3779B97F4A7C15 mod 2^64). Prints one line,
"ok ..." or "error ...", and exits 0 or 1.
"""

import array
import os
import sys

import mapd_client

MASK = (1 << 64) - 1


def pattern(words, seed):
    key = (seed * 0x9E3779B97F4A7C15) & MASK
    return array.array("Q", (i * 8 ^ key for i in range(words)))


def main(proto_root, stub_dir, socket_dir, name, seed_in, seed_out):
    messages, services = mapd_client.generate_stubs(proto_root, stub_dir)
    with mapd_client.MapdSession(socket_dir, messages, services) as session:
        region, fd = session.open(name, writable=True)
        try:
            mapping = mapd_client.map_region(fd, region.size)
        finally:
            os.close(fd)  # the mapping keeps the file
        with mapping:
            words = region.size // 8
            view = memoryview(mapping).cast("Q")
            try:
                expected = pattern(words, seed_in)
                if view[:words] != expected[:words]:
                    bad = next(i for i in range(words) if view[i] != expected[i])
                    print(f"error mismatch at offset {bad * 8}: {view[bad]:#x} != {expected[bad]:#x}")
                    return 1
                view[:words] = pattern(words, seed_out)
            finally:
                view.release()
        session.close(name)
    print(f"ok verified {region.size} wrote {region.size} generation {region.generation} session {session.session_id}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 7:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])))
