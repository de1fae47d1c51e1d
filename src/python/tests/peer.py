"""A second process using the installed mapd package, driven through stdin and stdout.

usage: peer.py SOCKET_DIR

Prints "ready PID", then answers each command line with one line, "ok ..." or
"error CLASS message":
  create NAME SIZE MODE     create a region (read-write), MODE in octal
  open NAME rw|ro           open a region
  fill SEED                 write the pattern over the whole region
  verify SEED               check the pattern over the whole region
  hold OFFSET LENGTH        take a view and keep it (a lease on that range)
  drop                      release every view held
  resize SIZE               resize the region
  wait-size SIZE            wait (30 s at most) until this process has applied that size
  write-through-ro          try to write through a view of a read-only region
  close                     close the region
  exit                      close the client and exit
"""

from __future__ import annotations

import os
import sys
import time

import numpy

import mapd
import pattern


def main(socket_dir: str) -> int:
    client = mapd.connect(socket_dir)
    region: mapd.Region | None = None
    held: list[memoryview] = []
    print(f"ready {os.getpid()}", flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        try:
            if command == "create":
                region = client.create(args[0], int(args[1]), mode=int(args[2], 8))
                answer = f"ok created {region.size}"
            elif command == "open":
                region = client.open(args[0], writable=args[1] == "rw")
                answer = f"ok opened {region.size} {'rw' if region.writable else 'ro'}"
            elif command == "fill":
                assert region is not None
                pattern.fill(region.ndarray(numpy.uint64), int(args[0]))
                answer = f"ok filled {region.size}"
            elif command == "verify":
                assert region is not None
                bad = pattern.first_mismatch(region.ndarray(numpy.uint64), int(args[0]))
                answer = f"ok verified {region.size}" if bad < 0 else f"error Mismatch at offset {bad}"
            elif command == "hold":
                assert region is not None
                held.append(region.view(int(args[0]), int(args[1])))
                answer = f"ok holding {len(held[-1])}"
            elif command == "drop":
                for view in held:
                    view.release()
                held.clear()
                answer = "ok dropped"
            elif command == "resize":
                assert region is not None
                info = region.resize(int(args[0]))
                answer = f"ok resized {info.size} pending {info.pending_size} generation {info.generation}"
            elif command == "wait-size":
                assert region is not None
                deadline = time.monotonic() + 30
                while region.size != int(args[0]) and time.monotonic() < deadline:
                    time.sleep(0.001)
                answer = f"ok size {region.size} generation {region.generation}"
            elif command == "write-through-ro":
                assert region is not None
                try:
                    region.view()[0] = 1
                    answer = "ok wrote"
                except TypeError as e:
                    answer = f"error TypeError {e}"
            elif command == "close":
                assert region is not None
                region.close()
                answer = "ok closed"
            elif command == "exit":
                client.close()
                print("ok bye", flush=True)
                return 0
            else:
                answer = f"error Usage unknown command {command}"
        except mapd.MapdError as e:
            answer = f"error {type(e).__name__} {e}"
        print(answer, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
