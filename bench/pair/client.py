#!/usr/bin/env python3
"""Open-loop HTTP client for bench/pair: one GET every 1/RATE s, each on a fresh TCP connection and its own thread.

  client.py run    --url http://10.97.0.100/ --log FILE   runs until SIGTERM/SIGINT (or --max-seconds), then waits for
                                                          the requests in flight (each is bounded by --timeout)
  client.py steady --url http://10.97.0.100/ --seconds 3  exits 0 once every request of the last SECONDS succeeded
                                                          1 after --max-seconds

Log format (run): a first line "# start EPOCH", then one line per request as it completes:
  START END OK REASON LOCAL_PORT ACT2_NODE
START/END are epoch seconds (time.time(), the same clock as `date +%s.%N` in run.sh), OK is 1 or 0, REASON is
"ok" or why it failed (refused, connect-timeout, reset, read-timeout, http-502, eof, ...), ACT2_NODE is the node
named in the body ("act2 on a" -> a) or "-".
"""
import argparse
import errno
import signal
import socket
import sys
import threading
import time
from urllib.parse import urlsplit


def response_complete(data):
    """True once DATA holds a whole HTTP/1.1 response with a Content-Length or chunked body."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    fields = {}
    for ln in head.split(b"\r\n")[1:]:
        k, _, v = ln.partition(b":")
        fields[k.strip().lower()] = v.strip().lower()
    if b"content-length" in fields:
        try:
            return len(body) >= int(fields[b"content-length"])
        except ValueError:
            return False
    if fields.get(b"transfer-encoding", b"").endswith(b"chunked"):
        return body.endswith(b"0\r\n\r\n")
    return False   # delimited by EOF


def one_request(host, port, path, timeout):
    """Returns (start, end, ok, reason, local_port, act2_node)."""
    start = time.time()
    deadline = start + timeout
    lport = 0
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("0.0.0.0", 0))
        lport = s.getsockname()[1]
        s.settimeout(timeout)
        try:
            s.connect((host, port))
        except socket.timeout:
            return start, time.time(), 0, "connect-timeout", lport, "-"
        except ConnectionRefusedError:
            return start, time.time(), 0, "refused", lport, "-"
        except OSError as e:
            return start, time.time(), 0, "connect-" + (errno.errorcode.get(e.errno, str(e.errno)) if e.errno else "error"), lport, "-"
        req = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bench-pair\r\nConnection: close\r\n\r\n".encode()
        data = b""
        try:
            s.settimeout(max(0.001, deadline - time.time()))
            s.sendall(req)
            # Read like an HTTP client: the response is complete at Content-Length (or the last chunk, or EOF),
            # so a RST that arrives after a complete response (e.g. our ACK went to the new VIP holder) is not a failure.
            while not response_complete(data):
                left = deadline - time.time()
                if left <= 0:
                    raise socket.timeout()
                s.settimeout(left)
                b = s.recv(65536)
                if not b:
                    break
                data += b
        except socket.timeout:
            return start, time.time(), 0, "read-timeout" if data else "no-response-timeout", lport, "-"
        except ConnectionResetError:
            return start, time.time(), 0, "reset-after-data" if data else "reset", lport, "-"
        except OSError as e:
            return start, time.time(), 0, "io-" + (errno.errorcode.get(e.errno, str(e.errno)) if e.errno else "error"), lport, "-"
        end = time.time()
        if not data:
            return start, end, 0, "eof", lport, "-"
        if b"\r\n\r\n" not in data:
            return start, end, 0, "eof-in-headers", lport, "-"
        line = data.split(b"\r\n", 1)[0].split()
        status = line[1].decode(errors="replace") if len(line) > 1 else "?"
        body = data.split(b"\r\n\r\n", 1)[1]
        node = "-"
        if body.startswith(b"act2 on "):
            node = body[8:].strip().decode(errors="replace") or "-"
        if status != "200":
            return start, end, 0, "http-" + status, lport, node
        return start, end, 1, "ok", lport, node
    finally:
        s.close()


class Client:
    def __init__(self, url, rate, timeout, on_result):
        u = urlsplit(url)
        self.host, self.port, self.path = u.hostname, u.port or 80, (u.path or "/")
        self.period = 1.0 / rate
        self.timeout = timeout
        self.on_result = on_result
        self.stop = threading.Event()
        self.threads = []

    def _worker(self):
        try:
            r = one_request(self.host, self.port, self.path, self.timeout)
        except Exception as e:  # never lose a request from the log
            r = (time.time(), time.time(), 0, "client-error-" + type(e).__name__, 0, "-")
        self.on_result(r)

    def run(self, max_seconds):
        t0 = time.time()
        i = 0
        while not self.stop.is_set():
            now = time.time()
            if now - t0 > max_seconds:
                break
            due = t0 + i * self.period
            if due > now:
                self.stop.wait(due - now)
                continue
            t = threading.Thread(target=self._worker, daemon=True)
            t.start()
            self.threads.append(t)
            if len(self.threads) > 256:
                self.threads = [x for x in self.threads if x.is_alive()]
            i += 1
        for t in self.threads:
            t.join(self.timeout + 1)
        return t0


def cmd_run(a):
    lock = threading.Lock()
    out = open(a.log, "w", buffering=1)

    def on_result(r):
        with lock:
            out.write("%.6f %.6f %d %s %d %s\n" % r)

    c = Client(a.url, a.rate, a.timeout, on_result)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: c.stop.set())
    out.write("# start %.6f\n" % time.time())
    c.run(a.max_seconds)
    with lock:
        out.write("# stop %.6f\n" % time.time())
        out.close()
    return 0


def cmd_steady(a):
    state = {"last_bad": time.time(), "n": 0}
    lock = threading.Lock()

    def on_result(r):
        start, end, ok, reason, lport, node = r
        with lock:
            state["n"] += 1
            if not ok:
                state["last_bad"] = max(state["last_bad"], end)

    c = Client(a.url, a.rate, a.timeout, on_result)
    th = threading.Thread(target=c.run, args=(a.max_seconds,), daemon=True)
    th.start()
    t_start = time.time()
    rc = 1
    while time.time() - t_start < a.max_seconds:
        time.sleep(0.05)
        with lock:
            if time.time() - state["last_bad"] >= a.seconds and state["n"] > 0:
                rc = 0
                break
    c.stop.set()
    th.join(a.timeout + 2)
    return rc


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["run", "steady"])
    p.add_argument("--url", default="http://10.97.0.100/")
    p.add_argument("--rate", type=float, default=40)
    p.add_argument("--timeout", type=float, default=1.0)
    p.add_argument("--log")
    p.add_argument("--seconds", type=float, default=3)
    p.add_argument("--max-seconds", type=float, default=120)
    a = p.parse_args()
    sys.exit(cmd_run(a) if a.mode == "run" else cmd_steady(a))


if __name__ == "__main__":
    main()
