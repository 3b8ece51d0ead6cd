#!/usr/bin/env python3
"""Side-by-side timing of SaltHaGateway config sync and `inotifywait | unison`.

Scenarios (same trees, same machine, one run each):
  single   single small-file change until identical on the peer (p50/p99), small tree and 10,000 files
  burst    200 new files at once until all identical, then activity during the next 2 s
  initial  10,000 small files to an empty peer (rsync -a shown for reference)
  idle     CPU seconds used by both nodes over 10 s of quiet
  memory   resident memory of one node tracking 100,000 files
Arguments: gateway, unison (default: both), unison-oneway (unison with only the writing side's pipeline).
  single (only the single-change latency on 100 and 10,000 files, RUNS=3 times, SAMPLES each),
  initial (only the 10,000-file initial copy, RUNS=3 times: gateway, rsync -a, rsync -a --fsync, and the least work a
  crash-safe copy needs: a plain loop of create, fsync, rename), mem100k (only the 100,000-file
  first indexing: scan time, steady RSS and VmHWM, RUNS=3 times).
  RUNNER_B=other/NodeRunner.dll with initial: the same runs with a second build, interleaved (before/after A/B).
  WARM=1 with initial: the sending node first serves the tree to a third node (as a master that has been running
  for a while has); the empty node is started cold either way.
A change that is not identical on the peer within 30 s counts as inf.
BENCH_DIR=/some/dir puts the trees on another filesystem (default: the system temp directory).
"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.normpath(os.path.join(ROOT, "../../tests/SaltHaGateway.Sync.Tests/NodeRunner/bin/Release/net10.0/SaltHaGateway.Sync.NodeRunner.dll"))
BASE = tempfile.mkdtemp(prefix="shgs-bench-", dir=os.environ.get("BENCH_DIR"))  # BENCH_DIR: a filesystem of your choice
SAMPLES = int(os.environ.get("SAMPLES", "40"))
WARM = os.environ.get("WARM") == "1"  # initial: the sending node has served the tree once before (a long-running master)
results = {}
started = []  # every Node / UnisonPair, stopped by process id in the end


def populate(tree, n, dirs=100):
    for d in range(dirs):
        os.makedirs(f"{tree}/d{d:03}", exist_ok=True)
    for i in range(n):
        with open(f"{tree}/d{i % dirs:03}/f{i:06}.sls", "w") as f:
            f.write(f"key{i}: value {i}\n" * 4)


def count_files(tree):
    return sum(len(fs) for _, _, fs in os.walk(tree))


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                parts = f.read().rsplit(")", 1)[1].split()
            total += int(parts[11]) + int(parts[12])
        except FileNotFoundError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def rss_mb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def wait_until(cond, timeout=120.0, interval=0.001):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(interval)
    return False


def same(a, b):
    try:
        with open(a, "rb") as x, open(b, "rb") as y:
            return x.read() == y.read()
    except FileNotFoundError:
        return False


def latency_series(src_dir, dst_dir, samples):
    out = []
    for i in range(samples):
        name = "change.sls"
        data = f"changed: {i} {time.time_ns()}\n"
        t0 = time.monotonic()
        with open(f"{src_dir}/{name}", "w") as f:
            f.write(data)
        ok = wait_until(lambda: same(f"{src_dir}/{name}", f"{dst_dir}/{name}"), timeout=30)
        out.append((time.monotonic() - t0) * 1000 if ok else float("inf"))
        time.sleep(0.15)
    return out


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def burst(src_dir, dst_dir, pids, n=200):
    os.makedirs(f"{src_dir}/burst", exist_ok=True)
    wait_until(lambda: os.path.isdir(f"{dst_dir}/burst"), 30)
    time.sleep(0.5)
    t0 = time.monotonic()
    for i in range(n):
        with open(f"{src_dir}/burst/b{i:04}.sls", "w") as f:
            f.write(f"burst: {i}\n")
    ok = wait_until(lambda: all(same(f"{src_dir}/burst/b{i:04}.sls", f"{dst_dir}/burst/b{i:04}.sls") for i in range(n)), 300, 0.005)
    took = time.monotonic() - t0
    c0 = cpu_seconds(pids())
    time.sleep(2)
    after = cpu_seconds(pids()) - c0
    return took if ok else float("inf"), after


def durable_floor(src, dst):
    """The least work a crash-safe copy needs, with no network, index or checks: per file create in a staging
    directory, write, chmod, utime; fsync all (32 threads); rename into place; fsync each directory."""
    import concurrent.futures
    files = [(d, n) for d in sorted(os.listdir(src)) for n in sorted(os.listdir(f"{src}/{d}"))]
    t0 = time.monotonic()
    os.makedirs(f"{dst}/.stage")
    for d in {d for d, _ in files}:
        os.makedirs(f"{dst}/{d}")
    fds = []
    for k, (d, n) in enumerate(files):
        st = os.stat(f"{src}/{d}/{n}")
        with open(f"{src}/{d}/{n}", "rb") as f:
            data = f.read()
        fd = os.open(f"{dst}/.stage/{k}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, data)
        os.fchmod(fd, st.st_mode & 0o7777)
        os.utime(fd, ns=(st.st_atime_ns, st.st_mtime_ns))
        fds.append(fd)
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        list(pool.map(os.fsync, fds))
    for k, (d, n) in enumerate(files):
        os.close(fds[k])
        os.rename(f"{dst}/.stage/{k}", f"{dst}/{d}/{n}")
    for d in {d for d, _ in files}:
        fd = os.open(f"{dst}/{d}", os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    return time.monotonic() - t0


# ---------------------------------------------------------------- SaltHaGateway
class Node:
    def __init__(self, name, peers_fn, port):
        self.name, self.dir, self.port = name, f"{BASE}/{name}", port
        self.tree = f"{self.dir}/tree"
        self.state = f"{self.dir}/state"
        os.makedirs(self.tree + "/srv/salt", exist_ok=True)
        out = subprocess.run(["dotnet", RUNNER, "init", self.state], capture_output=True, text=True, check=True).stdout
        self.fp = out.strip().splitlines()[-1]
        self.peers_fn = peers_fn
        self.proc = None
        started.append(self)

    @property
    def root(self):
        return self.tree + "/srv/salt"

    def start(self):
        cfg = {"ConfigSync": {"Enabled": True, "Listen": f"https://127.0.0.1:{self.port}", "StateDirectory": self.state,
                              "Roots": ["/srv/salt"], "Peers": [{"Url": f"https://127.0.0.1:{p.port}", "Fingerprint": p.fp} for p in self.peers_fn()]},
               "Test": {"RootPrefix": self.tree, "LogLevel": "Warning"}}
        path = f"{self.dir}/node.json"
        with open(path, "w") as f:
            json.dump(cfg, f)
        log = open(f"{self.dir}/node.log", "w")
        self.proc = subprocess.Popen(["dotnet", RUNNER, path], stdout=log, stderr=subprocess.STDOUT, text=True)
        wait_until(lambda: "READY" in open(f"{self.dir}/node.log").read(), 300, 0.01)

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(20)
            self.proc = None


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def gateway_pair(prefix, n_files, warm=False):
    """a holds the tree, b is empty. With warm, a third node w (also a's peer) exists to warm a up first."""
    nodes = {}
    a = Node(prefix + "a", lambda: [nodes["b"]] + ([nodes["w"]] if warm else []), free_port())
    b = Node(prefix + "b", lambda: [nodes["a"]], free_port())
    nodes.update(a=a, b=b)
    if warm:
        nodes["w"] = Node(prefix + "w", lambda: [nodes["a"]], free_port())
    populate(a.root, n_files)
    return (a, b, nodes["w"]) if warm else (a, b)


def warm_up(a, w, n_files):
    """A long-running master has served before: let a serve the whole tree to w once, then stop w."""
    w.start()
    wait_until(lambda: count_files(w.root) >= n_files, 600, 0.02)
    time.sleep(1)
    w.stop()
    shutil.rmtree(w.dir, ignore_errors=True)


def bench_gateway():
    r = {}
    # initial sync of 10,000 files to an empty peer, then single changes on that tree
    a, b = gateway_pair("g10k-", 10_000)
    a.start()
    t0 = time.monotonic()
    b.start()
    wait_until(lambda: count_files(b.root) >= 10_000, 600, 0.02)
    r["initial_10k_s"] = time.monotonic() - t0
    time.sleep(1)
    r["single_10k_ms"] = latency_series(a.root, b.root, SAMPLES)
    r["burst_s"], r["burst_cpu_after_s"] = burst(a.root, b.root, lambda: [a.proc.pid, b.proc.pid])
    time.sleep(2)
    c0 = cpu_seconds([a.proc.pid, b.proc.pid])
    time.sleep(10)
    r["idle_cpu_10s"] = cpu_seconds([a.proc.pid, b.proc.pid]) - c0
    r["rss_10k_mb"] = rss_mb(a.proc.pid)
    a.stop(); b.stop()

    a, b = gateway_pair("gsmall-", 100)
    a.start(); b.start()
    wait_until(lambda: count_files(b.root) >= 100, 60, 0.02)
    time.sleep(1)
    r["single_small_ms"] = latency_series(a.root, b.root, SAMPLES)
    a.stop(); b.stop()

    a, _ = gateway_pair("g100k-", 100_000)
    t0 = time.monotonic()
    a.start()
    r["scan_100k_s"] = time.monotonic() - t0
    time.sleep(3)
    r["rss_100k_mb"] = rss_mb(a.proc.pid)
    r["hwm_100k_mb"] = rss_mb(a.proc.pid, "VmHWM")
    a.stop()
    return r


# ---------------------------------------------------------------- inotifywait | unison
UNISON_FLAGS = ["-batch", "-auto", "-times", "-owner", "-group", "-numericids", "-silent", "-confirmbigdel=false", "-ui", "text"]


class UnisonPair:
    """Today's scheme: on each side `inotifywait -mrq … | while read; do unison this other …; done`."""

    def __init__(self, prefix, n_files):
        self.a = f"{BASE}/{prefix}a/srv/salt"
        self.b = f"{BASE}/{prefix}b/srv/salt"
        os.makedirs(self.a); os.makedirs(self.b)
        self.env = dict(os.environ, UNISON=f"{BASE}/{prefix}unison")
        os.makedirs(self.env["UNISON"])
        populate(self.a, n_files)
        self.procs = []
        started.append(self)

    def initial(self):
        t0 = time.monotonic()
        subprocess.run(["unison", self.a, self.b] + UNISON_FLAGS, env=self.env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.monotonic() - t0

    def watch(self, both_sides=True):
        for src, dst in ((self.a, self.b), (self.b, self.a))[: 2 if both_sides else 1]:
            cmd = (f"inotifywait -mrq --format '%Xe %w%f' -e modify,create,delete,move,attrib '{src}' | "
                   f"while read line; do unison '{src}' '{dst}' {' '.join(UNISON_FLAGS)} >/dev/null 2>&1; done")
            self.procs.append(subprocess.Popen(["bash", "-c", cmd], env=self.env, start_new_session=True))
        time.sleep(1)

    def pids(self):
        out = []
        for p in self.procs:
            try:
                out += [int(x) for x in subprocess.run(["pgrep", "-s", str(p.pid)], capture_output=True, text=True).stdout.split()]
            except ValueError:
                pass
        return out

    def stop(self):
        for p in self.procs:
            try:
                os.killpg(p.pid, 15)
            except ProcessLookupError:
                pass
        self.procs = []


def bench_unison():
    r = {}
    u = UnisonPair("u10k-", 10_000)
    r["initial_10k_s"] = u.initial()
    u.watch()
    r["single_10k_ms"] = latency_series(u.a, u.b, min(SAMPLES, 20))
    r["burst_s"], r["burst_cpu_after_s"] = burst(u.a, u.b, u.pids)
    time.sleep(2)
    c0 = cpu_seconds(u.pids())
    time.sleep(10)
    r["idle_cpu_10s"] = cpu_seconds(u.pids()) - c0
    u.stop()

    u = UnisonPair("usmall-", 100)
    u.initial()
    u.watch()
    r["single_small_ms"] = latency_series(u.a, u.b, min(SAMPLES, 20))
    u.stop()


    src = f"{BASE}/rsync-src"
    populate(src, 10_000)
    t0 = time.monotonic()
    subprocess.run(["rsync", "-a", src + "/", f"{BASE}/rsync-dst/"], check=True)
    r["rsync_initial_10k_s"] = time.monotonic() - t0
    return r


def summary(name, r):
    lines = [f"== {name}"]
    for k, v in r.items():
        if isinstance(v, list):
            lines.append(f"  {k}: p50 {pct(v, 50):.1f} ms  p99 {pct(v, 99):.1f} ms  (n={len(v)})")
        else:
            lines.append(f"  {k}: {v:.3f}")
    return "\n".join(lines)


if __name__ == "__main__":
    which = sys.argv[1:] or ["gateway", "unison"]
    try:
        if "initial" in which:  # only the 10,000-file initial copy: gateway, then rsync, RUNS times each
            r = {"gateway_initial_10k_s": [], "gateway_peer_start_s": [], "rsync_initial_10k_s": []}
            # RUNNER_B=path/to/other/NodeRunner.dll: the same run with a second build, interleaved (A/B on a noisy machine).
            builds = [("", RUNNER)] + ([("_b", os.environ["RUNNER_B"])] if os.environ.get("RUNNER_B") else [])
            for i in range(int(os.environ.get("RUNS", "3"))):
                for suffix, runner in builds:
                    RUNNER = runner  # module-level name read by Node
                    r.setdefault(f"gateway{suffix}_initial_10k_s", []); r.setdefault(f"gateway{suffix}_peer_start_s", [])
                    if WARM:
                        a, b, w = gateway_pair(f"gi{i}{suffix}-", 10_000, warm=True)
                        a.start()
                        warm_up(a, w, 10_000)
                    else:
                        a, b = gateway_pair(f"gi{i}{suffix}-", 10_000)
                        a.start()
                    t0 = time.monotonic()
                    b.start()
                    r[f"gateway{suffix}_peer_start_s"].append(time.monotonic() - t0)  # process start until its peer endpoint is up
                    wait_until(lambda: count_files(b.root) >= 10_000, 600, 0.02)
                    r[f"gateway{suffix}_initial_10k_s"].append(time.monotonic() - t0)
                    a.stop(); b.stop()
                    shutil.rmtree(a.dir, ignore_errors=True); shutil.rmtree(b.dir, ignore_errors=True)
                RUNNER = builds[0][1]
                src = f"{BASE}/rsync{i}-src"
                populate(src, 10_000)
                os.sync()
                t0 = time.monotonic()
                subprocess.run(["rsync", "-a", src + "/", f"{BASE}/rsync{i}-dst/"], check=True)
                r["rsync_initial_10k_s"].append(time.monotonic() - t0)
                # The same copy with the durability the gateway gives: every file fsynced (rsync >= 3.2.4).
                t0 = time.monotonic()
                subprocess.run(["rsync", "-a", "--fsync", src + "/", f"{BASE}/rsyncf{i}-dst/"], check=True)
                r.setdefault("rsync_fsync_initial_10k_s", []).append(time.monotonic() - t0)
                r.setdefault("durable_floor_10k_s", []).append(durable_floor(src, f"{BASE}/floor{i}"))
                for d in (src, f"{BASE}/rsync{i}-dst", f"{BASE}/rsyncf{i}-dst", f"{BASE}/floor{i}"):
                    shutil.rmtree(d, ignore_errors=True)
                print(f"  run {i}: " + "  ".join(f"{k} {v[-1]:.2f}" for k, v in r.items() if v), flush=True)
            for k, v in r.items():
                print(f"  {k}: median {statistics.median(v):.2f} s  runs {' '.join(f'{x:.2f}' for x in v)}", flush=True)
            print("  load average:", open("/proc/loadavg").read().split()[:3], flush=True)
        if "single" in which:  # only the single-change latency, 100-file and 10,000-file trees, RUNS times
            for i in range(int(os.environ.get("RUNS", "3"))):
                for n in (100, 10_000):
                    a, b = gateway_pair(f"gs{i}-{n}-", n)
                    a.start(); b.start()
                    wait_until(lambda: count_files(b.root) >= n, 600, 0.02)
                    time.sleep(1)
                    v = latency_series(a.root, b.root, SAMPLES)
                    results.setdefault(f"single_{n}_ms", []).extend(v)
                    top = sorted(v)[-5:]
                    print("   slowest at sample", sorted(range(len(v)), key=lambda k: v[k])[-5:], flush=True)
                    print(f"  run {i}, {n} files: p50 {pct(v, 50):.1f} ms  p99 {pct(v, 99):.1f} ms  slowest {' '.join(f'{x:.0f}' for x in top)}", flush=True)
                    a.stop(); b.stop()
                    shutil.rmtree(a.dir, ignore_errors=True); shutil.rmtree(b.dir, ignore_errors=True)
            for k, v in results.items():
                print(f"  {k} all runs: p50 {pct(v, 50):.1f} ms  p99 {pct(v, 99):.1f} ms  (n={len(v)})", flush=True)
            print("  load average:", open("/proc/loadavg").read().split()[:3], flush=True)
        if "mem100k" in which:  # only the first indexing of 100,000 files: steady RSS and peak (VmHWM)
            for i in range(int(os.environ.get("RUNS", "3"))):
                a, _ = gateway_pair(f"gm{i}-", 100_000)
                t0 = time.monotonic()
                a.start()
                scan = time.monotonic() - t0
                time.sleep(3)
                print(f"  run {i}: scan {scan:.2f} s  rss {rss_mb(a.proc.pid):.0f} MB  hwm {rss_mb(a.proc.pid, 'VmHWM'):.0f} MB", flush=True)
                a.stop()
                shutil.rmtree(f"{BASE}/gm{i}-a", ignore_errors=True)
            print("  load average:", open("/proc/loadavg").read().split()[:3], flush=True)
        if "unison-oneway" in which:  # only the writing side runs its pipeline: no lock contention, no echo runs
            r = {}
            for n in (100, 10_000):
                u = UnisonPair(f"uone{n}-", n)
                u.initial()
                u.watch(both_sides=False)
                r[f"single_oneway_{n}_ms"] = latency_series(u.a, u.b, min(SAMPLES, 20))
                print(f"  single_oneway_{n}_ms: {' '.join(f'{x:.0f}' for x in r[f'single_oneway_{n}_ms'])}", flush=True)
                if n == 10_000:
                    r["burst_oneway_s"], r["burst_oneway_cpu_after_s"] = burst(u.a, u.b, u.pids)
                u.stop()
            print(summary("inotifywait | unison, one side only", r), flush=True)
        if "gateway" in which:
            results["gateway"] = bench_gateway()
            print(summary("SaltHaGateway sync", results["gateway"]), flush=True)
        if "unison" in which:
            results["unison"] = bench_unison()
            print(summary("inotifywait | unison", results["unison"]), flush=True)
        with open(os.path.join(BASE, "results.json"), "w") as f:
            json.dump(results, f)
        print("raw results:", os.path.join(BASE, "results.json"))
    finally:
        for s in started:
            s.stop()
        if os.environ.get("KEEP") != "1":
            shutil.rmtree(BASE, ignore_errors=True)
