"""Opens a session on mapd-fd.sock and leaves its socket to a child, then exits: the session
stays live while this process's pid becomes free for the kernel to reuse.

Usage: leak_session.py SOCKET
Prints "session ID pid PID holder HOLDER"; the holder keeps the socket until stdin closes.
"""
import os
import socket
import struct
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(b"MAPD" + struct.pack("<H", 1))
welcome = s.recv(64)
assert welcome[:4] == b"MAPD" and len(welcome) == 22, welcome
holder = os.fork()
if holder == 0:
    # Not the test's stdout: the line below is the parent's, and the pipe must close with it.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdin.read()
    os._exit(0)
print(f"session {welcome[6:22].hex()} pid {os.getpid()} holder {holder}", flush=True)
os._exit(0)
