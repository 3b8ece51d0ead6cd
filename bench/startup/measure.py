#!/usr/bin/env python3
"""Startup and idle memory of salt-ha-gateway builds, side by side (see run.sh).

For each run and each build in turn: exec the build with an empty environment on a loopback config, poll the proxy
listener every 5 ms until a request comes back 200 from the upstream (exec -> first proxied 200), then wait IDLE
seconds and read VmRSS and the CPU time the process used; then SIGTERM and wait for it to exit.
Prints one line per run and the medians per build.
"""
import http.client, json, os, signal, socket, statistics, subprocess, sys, time

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

def one(name, binary, work, upstream, idle):
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
    p = subprocess.Popen([binary, "run", "--config", config], env={}, stdout=log, stderr=subprocess.STDOUT, cwd=d)
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
    p.send_signal(signal.SIGTERM)
    t = time.monotonic()
    p.wait(30)
    stop = time.monotonic() - t
    return first, startup_cpu, rss, hwm, cpu, stop

def main():
    work, upstream, idle, runs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    builds = [a.split("=", 1) for a in sys.argv[5:]]
    rows = {n: [] for n, _ in builds}
    print(f"{'run':<4} {'build':<18} {'first_200_ms':>12} {'start_cpu_ms':>12} {'idle_rss_MB':>11} {'hwm_MB':>7} {'cpu_ms':>7} {'stop_ms':>7}")
    for r in range(1, runs + 1):
        for name, binary in builds:
            first, scpu, rss, hwm, cpu, stop = one(name, binary, work, upstream, idle)
            rows[name].append((first, scpu, rss, hwm, cpu, stop))
            print(f"{r:<4} {name:<18} {first*1000:>12.0f} {scpu*1000:>12.0f} {rss:>11.1f} {hwm:>7.1f} {cpu*1000:>7.0f} {stop*1000:>7.0f}", flush=True)
    print(f"\n# medians over {runs} runs (targets for the published build: first 200 <= 400 ms, idle RSS <= 50 MB)")
    print(f"{'build':<18} {'first_200_ms':>12} {'start_cpu_ms':>12} {'idle_rss_MB':>11} {'hwm_MB':>7} {'cpu_ms':>7} {'stop_ms':>7}")
    med = lambda n, k: statistics.median(x[k] for x in rows[n])
    for name, _ in builds:
        print(f"{name:<18} {med(name,0)*1000:>12.0f} {med(name,1)*1000:>12.0f} {med(name,2):>11.1f} {med(name,3):>7.1f} {med(name,4)*1000:>7.0f} {med(name,5)*1000:>7.0f}")

main()
