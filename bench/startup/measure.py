#!/usr/bin/env python3
"""Startup and idle memory of salt-ha-gateway builds, side by side (see run.sh).

    measure.py WORK UPSTREAM_PORT IDLE_S RUNS LOAD_S NAME=BINARY[|VAR=VALUE VAR2=VALUE2] ...

For each run and each build in turn: exec the build with an empty environment (plus the VAR=VALUE items given after
'|') on a loopback config, poll the proxy listener every 5 ms until a request comes back 200 from the upstream
(exec -> first proxied 200), then wait IDLE seconds and read VmRSS, the CPU time the process used and where the RSS is
(smaps: GC heap, file-backed, other anonymous). With LOAD_S > 0, then `wrk -t1 -c32` for LOAD_S seconds through the
proxy, sampling VmRSS every 0.25 s (peak) and taking the breakdown at the end of the load. Then SIGTERM and wait for it
to exit. Prints one line per run and the medians per build.
"""
import http.client, json, os, re, shutil, signal, socket, statistics, subprocess, sys, time

def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks: s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks: s.close()
    return ports

def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"): return int(line.split()[1])
    return 0

def rss_breakdown(pid):
    """Resident MB in (GC heap, file-backed, other anonymous). The GC heap is the GC's reservation: a run of adjacent
    anonymous mappings at least 1 GB long (the regions' address range; only the committed, touched part is resident).
    File-backed is code and read-only data of the executable and the shared libraries (for the JIT build also the
    managed assemblies). Other anonymous is everything else: thread stacks, malloc, the runtime's own tables (NativeAOT:
    the executable's .hydrated section, ~8 MB of type data written at start; JIT: jitted code, type loader data)."""
    vmas, cur = [], None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$", line)
            if m:
                cur = [int(m[1], 16), int(m[2], 16), m[3].strip(), 0]
                vmas.append(cur)
            elif line.startswith("Rss:"):
                cur[3] = int(line.split()[1])
    runs = []  # adjacent anonymous mappings merged: [start, end, rss]
    gc = files = anon = 0
    for start, end, path, rss in vmas:
        if path and not path.startswith("["):
            files += rss
        elif path == "":
            if runs and runs[-1][1] == start: runs[-1][1] = end; runs[-1][2] += rss
            else: runs.append([start, end, rss])
        else:
            anon += rss  # [heap], [stack], [vdso]...
    for start, end, rss in runs:
        if end - start >= 1 << 30: gc += rss
        else: anon += rss
    return gc / 1024, files / 1024, anon / 1024

def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def proxied_ok(port):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=0.5)
        c.request("GET", "/")
        ok = c.getresponse().status == 200
        c.close()
        return ok
    except OSError:
        return False

def one(name, binary, extra_env, work, upstream, idle, load):
    port, admin = free_ports(2)
    d = os.path.join(work, f"{name}-{port}")
    os.makedirs(d)
    config = os.path.join(d, "gateway.json")
    with open(config, "w") as f:
        json.dump({
            "Gateway": {"Listen": [f"http://127.0.0.1:{port}"], "Admin": {"Listen": f"http://127.0.0.1:{admin}"},
                        "Control": {"Socket": os.path.join(d, "control.sock")}, "StateDirectory": os.path.join(d, "state"),
                        "AccessLog": {"Format": "off"}, "Log": {"Level": "Warning"}},
            "ReverseProxy": {
                "Routes": {"act2": {"ClusterId": "act2", "Match": {"Path": "/{**catch-all}"}}},
                "Clusters": {"act2": {"Metadata": {"Check": "interval=3000 rise=1 fall=2 timeout=1000 type=tcp"},
                                      "Destinations": {f"127.0.0.1:{upstream}": {"Address": f"http://127.0.0.1:{upstream}"}}}}}}, f)
    log = open(os.path.join(d, "out.log"), "w")
    start = time.monotonic()
    p = subprocess.Popen([binary, "run", "--config", config], env=extra_env, stdout=log, stderr=subprocess.STDOUT, cwd=d)
    first = None
    while time.monotonic() - start < 30:
        if p.poll() is not None: break
        if proxied_ok(port):
            first = time.monotonic() - start
            break
        time.sleep(0.005)
    if first is None:
        p.kill(); p.wait()
        sys.exit(f"measure.py: {name} did not serve within 30 s; see {log.name}")
    startup_cpu = cpu_seconds(p.pid)
    time.sleep(idle)
    rss = status_kb(p.pid, "VmRSS") / 1024
    hwm = status_kb(p.pid, "VmHWM") / 1024
    cpu = cpu_seconds(p.pid)
    parts = rss_breakdown(p.pid)
    peak, load_parts = 0.0, (0.0, 0.0, 0.0)
    if load > 0:
        wrk = subprocess.Popen(["wrk", "-t1", "-c32", f"-d{load:g}s", f"http://127.0.0.1:{port}/"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while wrk.poll() is None:
            now = status_kb(p.pid, "VmRSS") / 1024
            if now > peak: peak, load_parts = now, rss_breakdown(p.pid)  # where the RSS is at its peak
            time.sleep(0.25)
    p.send_signal(signal.SIGTERM)
    t = time.monotonic()
    p.wait(30)
    stop = time.monotonic() - t
    return first, startup_cpu, rss, hwm, cpu, stop, parts, peak, load_parts

def main():
    work, upstream, idle, runs, load = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    builds = []
    for a in sys.argv[6:]:
        name, rest = a.split("=", 1)
        binary, _, env = rest.partition("|")
        builds.append((name, binary, dict(e.split("=", 1) for e in env.split())))
    if load > 0 and shutil.which("wrk") is None: sys.exit("measure.py: wrk not found (needed for LOAD_S > 0)")
    rows = {n: [] for n, _, _ in builds}
    head = (f"{'build':<18} {'first_200_ms':>12} {'start_cpu_ms':>12} {'idle_rss_MB':>11} {'gc/file/anon_MB':>16} {'hwm_MB':>7} "
            f"{'cpu_ms':>7} {'stop_ms':>7}" + (f" {'load_peak_MB':>12} {'gc/file/anon_MB':>16}" if load > 0 else ""))
    fmt = lambda p: "/".join(f"{x:.1f}" for x in p)
    print(f"{'run':<4} {head}")
    for r in range(1, runs + 1):
        for name, binary, env in builds:
            x = one(name, binary, env, work, upstream, idle, load)
            rows[name].append(x)
            first, scpu, rss, hwm, cpu, stop, parts, peak, lparts = x
            print(f"{r:<4} {name:<18} {first*1000:>12.0f} {scpu*1000:>12.0f} {rss:>11.1f} {fmt(parts):>16} {hwm:>7.1f} {cpu*1000:>7.0f} "
                  f"{stop*1000:>7.0f}" + (f" {peak:>12.1f} {fmt(lparts):>16}" if load > 0 else ""), flush=True)
    print(f"\n# medians over {runs} runs (targets for the published build: first 200 <= 400 ms, idle RSS <= 50 MB"
          + (", RSS under load <= 80 MB)" if load > 0 else ")"))
    print(f"{'':<4} {head}")
    med = lambda n, k: statistics.median(x[k] for x in rows[n])
    medp = lambda n, k: tuple(statistics.median(x[k][i] for x in rows[n]) for i in range(3))
    for name, _, _ in builds:
        print(f"{'':<4} {name:<18} {med(name,0)*1000:>12.0f} {med(name,1)*1000:>12.0f} {med(name,2):>11.1f} {fmt(medp(name,6)):>16} "
              f"{med(name,3):>7.1f} {med(name,4)*1000:>7.0f} {med(name,5)*1000:>7.0f}"
              + (f" {med(name,7):>12.1f} {fmt(medp(name,8)):>16}" if load > 0 else ""))
    for name, _, _ in builds:
        print(f"# {name}: idle RSS per run {' '.join(f'{x[2]:.1f}' for x in rows[name])} (max {max(x[2] for x in rows[name]):.1f})"
              + (f"; peak under load per run {' '.join(f'{x[7]:.1f}' for x in rows[name])} (max {max(x[7] for x in rows[name]):.1f})" if load > 0 else ""))

main()
