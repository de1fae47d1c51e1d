"""A minimal mapd client in Python, to show that any language can use mapd.

It uses only what a stock Linux distribution ships: gRPC stubs generated from
protos/mapd/v1/mapd.proto with protoc and grpc_python_plugin (Debian's protobuf-compiler
and protobuf-compiler-grpc), python3-grpcio for the calls, socket.recv_fds for the
descriptor handoff on mapd-fd.sock, and mmap to map the region.
"""

import importlib
import mmap
import os
import shutil
import socket
import struct
import subprocess
import sys

HELLO = b"MAPD" + struct.pack("<H", 1)
WELCOME_LENGTH = 22
HANDOFF = struct.Struct("<4sQ")  # FD is b"MAPF" + u64, TAKEN is b"MAPT" + u64


def generate_stubs(proto_root, out_dir):
    """Compiles mapd.proto into out_dir and returns the (messages, services) modules."""
    plugin = shutil.which("grpc_python_plugin")
    if plugin is None:
        raise RuntimeError("grpc_python_plugin is missing: apt-get install protobuf-compiler-grpc")
    subprocess.run(
        [
            "protoc",
            f"--proto_path={proto_root}",
            f"--python_out={out_dir}",
            f"--grpc_python_out={out_dir}",
            f"--plugin=protoc-gen-grpc_python={plugin}",
            os.path.join(proto_root, "mapd", "v1", "mapd.proto"),
        ],
        check=True,
    )
    sys.path.insert(0, out_dir)
    return importlib.import_module("mapd.v1.mapd_pb2"), importlib.import_module("mapd.v1.mapd_pb2_grpc")


class MapdSession:
    """One session: the SOCK_SEQPACKET connection (the lease on every mapping) and a gRPC channel."""

    def __init__(self, socket_dir, messages, services):
        import grpc  # python3-grpcio

        self._messages = messages
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._socket.connect(os.path.join(socket_dir, "mapd-fd.sock"))
        self._socket.send(HELLO)
        welcome = self._socket.recv(64)
        if len(welcome) != WELCOME_LENGTH or welcome[:4] != b"MAPD":
            raise RuntimeError(f"expected WELCOME, got {welcome!r}")
        self.session_id = welcome[6:22].hex()
        self._metadata = (("mapd-session", self.session_id),)
        self._channel = grpc.insecure_channel("unix:" + os.path.join(socket_dir, "mapd.sock"))
        self._regions = services.RegionsStub(self._channel)

    def open(self, name, writable=True):
        """Opens a region; returns (Region, fd). The caller closes the fd."""
        access = self._messages.ACCESS_READ_WRITE if writable else self._messages.ACCESS_READ_ONLY
        response = self._regions.Open(self._messages.OpenRequest(name=name, access=access), metadata=self._metadata)
        return response.region, self._take(response.handoff_id)

    def close(self, name):
        """Tells the daemon this session no longer maps the region."""
        self._regions.Close(self._messages.CloseRequest(name=name), metadata=self._metadata)

    def _take(self, handoff_id):
        # The daemon sent the FD message before it answered Open, so it is already queued.
        message, fds, _, _ = socket.recv_fds(self._socket, 64, 1)
        magic, received = HANDOFF.unpack(message)
        if magic != b"MAPF" or received != handoff_id or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise RuntimeError(f"expected FD {handoff_id}, got {message!r} with {len(fds)} fds")
        self._socket.send(HANDOFF.pack(b"MAPT", handoff_id))
        return fds[0]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._channel.close()
        self._socket.close()


def map_region(fd, size, writable=True):
    """Maps a region's descriptor shared, as every other client maps it."""
    prot = mmap.PROT_READ | (mmap.PROT_WRITE if writable else 0)
    return mmap.mmap(fd, size, flags=mmap.MAP_SHARED, prot=prot)
