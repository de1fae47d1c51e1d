"""Opens a region that a C# client created, checks its bytes and writes new ones, with the mapd
package (src/python).

usage: interop.py SOCKET_DIR NAME SEED_IN SEED_OUT

The pattern is the one tests/Mapd.TestClient/Pattern.cs writes: each little-endian 64-bit
word holds its own byte offset XOR (seed * 0x9E3779B97F4A7C15 mod 2^64). Prints one line,
"ok ..." or "error ...", and exits 0 or 1.
"""

import array
import sys

import mapd

MASK = (1 << 64) - 1


def pattern(words: int, seed: int) -> array.array:
    key = (seed * 0x9E3779B97F4A7C15) & MASK
    return array.array("Q", (i * 8 ^ key for i in range(words)))


def main(socket_dir: str, name: str, seed_in: int, seed_out: int) -> int:
    with mapd.connect(socket_dir) as client, client.open(name, writable=True) as region:
        words = region.size // 8
        with region.view(0, words * 8) as memory, memory.cast("Q") as view:
            expected = pattern(words, seed_in)
            if view != memoryview(expected):
                bad = next(i for i in range(words) if view[i] != expected[i])
                print(f"error mismatch at offset {bad * 8}: {view[bad]:#x} != {expected[bad]:#x}")
                return 1
            view[:] = memoryview(pattern(words, seed_out))
        print(f"ok verified {region.size} wrote {region.size} generation {region.generation} session {client.session_id}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
