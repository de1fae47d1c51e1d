"""Runs a command as a process with a chosen pid (clone3 with set_tid; needs CAP_SYS_ADMIN).

Usage: recycle.py PID COMMAND...
The child is created with exactly PID, as if the kernel had recycled it, and execs COMMAND at
once; this process waits for it and exits with its status. Exits 3 when PID is taken.
"""
import ctypes
import os
import signal
import sys


class CloneArgs(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in (
        "flags", "pidfd", "child_tid", "parent_tid", "exit_signal", "stack", "stack_size",
        "tls", "set_tid", "set_tid_size", "cgroup")]


SYS_clone3 = 435
pid = ctypes.c_int32(int(sys.argv[1]))
command = sys.argv[2:]
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
args = CloneArgs(exit_signal=signal.SIGCHLD, set_tid=ctypes.addressof(pid), set_tid_size=1)
child = libc.syscall(ctypes.c_long(SYS_clone3), ctypes.byref(args), ctypes.c_size_t(ctypes.sizeof(args)))
if child == 0:
    try:
        os.execvp(command[0], command)
    finally:
        os._exit(127)
if child < 0:
    print(f"clone3 with set_tid {pid.value} failed: {os.strerror(ctypes.get_errno())}", file=sys.stderr, flush=True)
    sys.exit(3)
_, status = os.waitpid(child, 0)
sys.exit(os.waitstatus_to_exitcode(status))
