"""Opens Watch streams on mapd.sock with grpcio, as a watch hog would, and holds them.

Usage: watches.py SOCKET COUNT
Prints "watching OK refused R" once every call was subscribed or refused, and
"refusal CODE MESSAGE" for the first refusal; holds the open streams until stdin closes.
"""
import sys
import threading

import grpc

path, count = sys.argv[1], int(sys.argv[2])
channel = grpc.insecure_channel(f"unix:{path}")
watch = channel.unary_stream("/mapd.v1.Regions/Watch", request_serializer=lambda m: m, response_deserializer=lambda m: m)
calls, refused, first = [], 0, None
for _ in range(count):
    # An empty WatchRequest: every region (no session). Headers come once the daemon subscribed.
    call = watch(b"", timeout=3600)
    call.initial_metadata()
    calls.append(call)

ok = 0
for call in calls:
    done = threading.Event()
    call.add_done_callback(lambda _c, d=done: d.set())
    # A refused call ends at once with its status; a subscribed one stays open.
    if done.wait(2):
        refused += 1
        if first is None:
            first = f"{call.code().name} {call.details()}"
    else:
        ok += 1
print(f"watching {ok} refused {refused}", flush=True)
if first:
    print(f"refusal {first}", flush=True)
sys.stdin.read()
for call in calls:
    call.cancel()
