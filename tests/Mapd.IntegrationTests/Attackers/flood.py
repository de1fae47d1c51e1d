"""Holds as many connections to a mapd socket as it can: an attacker for the availability tests.

Usage: flood.py SOCKET grpc|session COUNT idle|greet [churn]
  grpc     connect mapd.sock (SOCK_STREAM); greet sends the HTTP/2 preface and an empty SETTINGS
  session  connect mapd-fd.sock (SOCK_SEQPACKET); greet sends HELLO
  churn    keep reconnecting whatever the daemon closes, until stdin closes
Prints "connected N" once COUNT connects returned, then one line per "status" read on stdin:
  status open O max X connects C closed D welcomed W refused R
and "refusal MESSAGE" once, for the first REFUSED (session) it read. Exits at stdin EOF.
Standard library only: it runs as another uid on Debian's python3.
"""
import os
import selectors
import socket
import struct
import sys
import threading

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
HELLO = b"MAPD" + struct.pack("<H", 1)

path, kind, count, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
churn = len(sys.argv) > 5 and sys.argv[5] == "churn"
family = socket.SOCK_STREAM if kind == "grpc" else socket.SOCK_SEQPACKET
greeting = (PREFACE if kind == "grpc" else HELLO) if mode == "greet" else None

lock = threading.Lock()
stats = {"open": 0, "max": 0, "connects": 0, "closed": 0, "welcomed": 0, "refused": 0}
selector = selectors.DefaultSelector()
refusal = []


def connect():
    s = socket.socket(socket.AF_UNIX, family)
    s.connect(path)
    if greeting is not None:
        try:
            s.send(greeting)
        except OSError:
            pass
    s.setblocking(False)
    with lock:
        stats["connects"] += 1
        stats["open"] += 1
        stats["max"] = max(stats["max"], stats["open"])
        selector.register(s, selectors.EVENT_READ)


def closed(s):
    with lock:
        selector.unregister(s)
        stats["open"] -= 1
        stats["closed"] += 1
    s.close()


def watch():
    while True:
        for key, _ in selector.select(timeout=0.05):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                closed(s)
                data = None
            if data == b"":
                closed(s)
            elif data and kind == "session":
                with lock:
                    if data[:4] == b"MAPR":
                        stats["refused"] += 1
                        if not refusal:
                            refusal.append(data[8:].decode("utf-8", "replace"))
                    elif data[:4] == b"MAPD":
                        stats["welcomed"] += 1
            if data is None or data == b"":
                if churn and not stopping.is_set():
                    try:
                        connect()
                    except OSError:
                        pass


stopping = threading.Event()
for _ in range(count):
    connect()
print(f"connected {stats['connects']}", flush=True)
threading.Thread(target=watch, daemon=True).start()
for line in sys.stdin:
    with lock:
        print("status " + " ".join(f"{k} {v}" for k, v in stats.items()), flush=True)
        if refusal:
            print("refusal " + refusal[0], flush=True)
stopping.set()
os._exit(0)
