#!/usr/bin/env python3
"""Top frames of a dotnet-trace speedscope file (dotnet-sampled-thread-time), counting only time a thread was
doing work: intervals whose stack is parked in a wait (thread-pool semaphore, epoll_wait, Monitor/WaitHandle,
sleep) are dropped, so the figures approximate on-CPU managed time.

    speedscope_top.py trace.speedscope.json [--top 40] [--match SaltHaGateway]
"""
import argparse
import collections
import json

WAIT_MARKERS = (
    "LowLevelLifoSemaphore.Wait", "LowLevelSemaphore.Wait", "WaitHandle.Wait", "Monitor.Wait", "Thread.Sleep",
    "SocketAsyncEngine.EventLoop", "WaitForSocketEvents", "ManualResetEventSlim.Wait", "SemaphoreSlim.Wait",
    "Task.SpinThenBlockingWait", "LowLevelMonitor.Wait", "TimerQueue.TimerThread", "WaitForSignal",
    "Interop+Sys.WaitForSocketEvents", "Console", "ReadAsync(Memory) [Stdin]",
)


# Request work runs on thread-pool workers and the socket engine thread; other threads (file watcher, finalizer,
# timers, console) are idle under load and the thread-time sampler would otherwise count their blocking calls.
WORK_MARKERS = ("ThreadPoolWorkQueue.Dispatch", "SocketAsyncEngine", "IOQueue")


def is_waiting(names):
    # A thread counts as waiting when its innermost managed frames are a known blocking call (the unmanaged leaf
    # then is the syscall itself), or when it is not a request-serving thread at all.
    if not any(any(m in n for m in WORK_MARKERS) for n in names):
        return True
    tail = [n for n in names[-4:]]
    return any(any(m in n for m in WAIT_MARKERS) for n in tail)


PSEUDO = {"UNMANAGED_CODE_TIME", "CPU_TIME", "?!?"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--match", action="append", default=[])
    args = ap.parse_args()
    data = json.load(open(args.file))
    frames = [f["name"] for f in data["shared"]["frames"]]
    inclusive = collections.Counter()
    exclusive = collections.Counter()
    busy_total = 0.0
    wait_total = 0.0
    for prof in data["profiles"]:
        stack = []
        last = None
        for ev in prof["events"]:
            at = ev["at"]
            if last is not None and stack:
                dt = at - last
                names = [frames[i] for i in stack]
                if is_waiting(names):
                    wait_total += dt
                else:
                    busy_total += dt
                    # The sampler's leaf is a pseudo frame (CPU_TIME in managed code, UNMANAGED_CODE_TIME in native
                    # code, ?!? for unresolved native frames): charge the innermost real managed frame instead.
                    real = [n for n in names if n not in PSEUDO]
                    leaf = real[-1] if real else names[-1]
                    tag = " [native]" if names[-1] == "UNMANAGED_CODE_TIME" else ""
                    exclusive[leaf + tag] += dt
                    for n in set(names):
                        inclusive[n] += dt
            last = at
            if ev["type"] == "O":
                stack.append(ev["frame"])
            elif stack:
                stack.pop()
    print(f"busy thread time {busy_total:.0f} ms, waiting {wait_total:.0f} ms (all threads)")

    def show(title, counter, flt=None):
        print(f"\n== {title}")
        shown = 0
        for name, t in counter.most_common():
            if flt and not any(m in name for m in flt):
                continue
            print(f"{100 * t / busy_total:6.1f}%  {name[:160]}")
            shown += 1
            if shown >= args.top:
                break

    show("exclusive (busy time)", exclusive)
    show("inclusive (busy time)", inclusive)
    if args.match:
        show("inclusive, matching " + ", ".join(args.match), inclusive, args.match)


if __name__ == "__main__":
    main()
