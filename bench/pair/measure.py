#!/usr/bin/env python3
"""Helpers for bench/pair/run.sh.

  measure.py window --log CLIENT_LOG --start T0 --end T1
      prints "failed<TAB>longest_gap_s<TAB>requests<TAB>reasons<TAB>stall_s" for the requests that STARTED in [T0, T1]:
      failed = requests that did not get a 200 within the client's timeout;
      longest gap = the longest time between two consecutive successful responses (by completion time), where
      the later one completes after T0 (so a gap that spans the event is counted whole, from the last success
      before it); if no success completes after the last one, the open gap up to T1 counts too;
      stall = the longest time between two consecutive request starts (0.025 s when the client kept its schedule;
      more means the client itself was starved of CPU and a gap of about that size says nothing about the VIP).
  measure.py converge --since T --ns-a NS --ns-b NS --dev-a va --dev-b vb --vip IP --tree-a DIR --tree-b DIR
      polls until exactly one of the two namespaces holds the VIP (every pass, ~10-20 ms) and the two trees are
      identical (relative path, type, sha256 of every file; every 50 ms); prints "vip_s<TAB>sync_s" counted from T
      ("-" if not reached within --timeout).
  measure.py table --results FILE --events "..." --stacks "..."
      prints the summary table (medians over runs) from run.sh's results file.
"""
import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import time
from collections import Counter, OrderedDict


def read_log(path):
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            p = line.split()
            rows.append((float(p[0]), float(p[1]), p[2] == "1", p[3], int(p[4]), p[5]))
    return rows


def window(rows, t0, t1):
    inwin = [r for r in rows if t0 <= r[0] <= t1]
    failed = [r for r in inwin if not r[2]]
    ok_ends = sorted(r[1] for r in rows if r[2])
    before = [e for e in ok_ends if e <= t0]
    after = [e for e in ok_ends if t0 < e and e <= t1 + 2]
    seq = ([before[-1]] if before else [t0]) + after
    gap = 0.0
    for x, y in zip(seq, seq[1:]):
        gap = max(gap, y - x)
    if seq[-1] < t1:
        gap = max(gap, t1 - seq[-1])
    reasons = Counter(r[3] for r in failed)
    starts = sorted(r[0] for r in inwin)
    stall = max((y - x for x, y in zip(starts, starts[1:])), default=0.0)
    return len(failed), gap, len(inwin), ",".join(f"{k}:{v}" for k, v in sorted(reasons.items())) or "-", stall


def cmd_window(a):
    f, g, n, reasons, stall = window(read_log(a.log), a.start, a.end)
    print(f"{f}\t{g:.3f}\t{n}\t{reasons}\t{stall:.3f}")


def has_vip(ns, dev, vip):
    out = subprocess.run(["ip", "-n", ns, "-4", "-o", "addr", "show", "dev", dev],
                         capture_output=True, text=True).stdout
    return f" {vip}/" in out


def listing(root):
    items = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(d, root)
        items.append(("d", rel, ""))
        for name in sorted(files):
            p = os.path.join(d, name)
            try:
                if os.path.islink(p):
                    items.append(("l", os.path.join(rel, name), os.readlink(p)))
                else:
                    with open(p, "rb") as fh:
                        items.append(("f", os.path.join(rel, name), hashlib.sha256(fh.read()).hexdigest()))
            except OSError:
                items.append(("?", os.path.join(rel, name), ""))
    return items


def cmd_converge(a):
    t_vip = t_sync = None
    next_tree = 0.0
    deadline = time.time() + a.timeout
    while time.time() < deadline and (t_vip is None or t_sync is None):
        now = time.time()
        if t_vip is None:
            ha, hb = has_vip(a.ns_a, a.dev_a, a.vip), has_vip(a.ns_b, a.dev_b, a.vip)
            if ha != hb:
                t_vip = now
        if t_sync is None and now >= next_tree:
            next_tree = now + 0.05
            if listing(a.tree_a) == listing(a.tree_b):
                t_sync = now
        time.sleep(0.005)
    fmt = lambda t: "-" if t is None else f"{t - a.since:.3f}"
    print(f"{fmt(t_vip)}\t{fmt(t_sync)}")


def median(xs):
    return statistics.median(xs) if xs else None


def cmd_table(a):
    events, stacks = a.events.split(), a.stacks.split()
    rows = OrderedDict()
    for line in open(a.results):
        p = line.rstrip("\n").split("\t")
        if len(p) < 4:
            continue
        ev, st, run, status = p[:4]
        rows.setdefault((ev, st), []).append((run, status, p[4:]))
    hdr = ["event", "stack", "failed (median)", "longest gap s (median)", "runs", "samples (failed/gap s per run)"]
    lines = [hdr]
    reasons_out, extra_out, stall_out = [], [], []
    for ev in events:
        for st in stacks:
            rs = rows.get((ev, st), [])
            na = [s for _, s, _ in rs if s.startswith("na:")]
            if na:
                lines.append([ev, st, "n/a (" + na[0][3:] + ")", "n/a", "0", ""])
                continue
            ok = [(run, f) for run, s, f in rs if s == "ok"]
            bad = [s for _, s, _ in rs if s.startswith("fail:")]
            fails = [int(f[0]) for _, f in ok]
            gaps = [float(f[1]) for _, f in ok]
            samples = " ".join(f"{f[0]}/{float(f[1]):.3f}" for _, f in ok)
            if bad:
                samples += (" " if samples else "") + f"[{len(bad)} run(s) not measured: {'; '.join(sorted(set(b[5:] for b in bad)))}]"
            m_f, m_g = median(fails), median(gaps)
            lines.append([ev, st, "-" if m_f is None else f"{m_f:g}", "-" if m_g is None else f"{m_g:.3f}",
                          str(len(ok)), samples])
            rc = Counter()
            for _, f in ok:
                for kv in f[3].split(","):
                    if ":" in kv:
                        k, v = kv.rsplit(":", 1)
                        rc[k] += int(v)
            if rc:
                reasons_out.append(f"  {ev} / {st}: " + ", ".join(f"{k} {v}" for k, v in rc.most_common()) +
                                   f" (over {len(ok)} runs, {sum(int(f[2]) for _, f in ok)} requests in the windows)")
            stalls = [float(f[4]) for _, f in ok if len(f) > 4]
            if stalls:
                stall_out.append(f"  {ev} / {st}: " + " ".join(f"{x:.3f}" for x in stalls))
            if ev == "partition" and ok:
                vip = [float(f[5]) for _, f in ok if len(f) > 5 and f[5] != "-"]
                syn = [float(f[6]) for _, f in ok if len(f) > 6 and f[6] != "-"]
                surv = [f[7] for _, f in ok if len(f) > 7]
                extra_out.append(
                    f"  partition / {st}: heal -> exactly one VIP holder {fmt_med(vip)} s, heal -> trees identical "
                    f"{fmt_med(syn)} s (medians); per run vip/sync/edits: " +
                    " ".join(f"{f[5]}/{f[6]}/{f[7]}" for _, f in ok if len(f) > 7) +
                    f"; both new files and the losing edit kept: {sum(1 for s in surv if s.startswith('kept'))}/{len(surv)} runs")
    w = [max(len(r[i]) for r in lines) for i in range(len(hdr))]
    for i, r in enumerate(lines):
        print("| " + " | ".join(c.ljust(w[j]) for j, c in enumerate(r)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (x + 2) for x in w) + "|")
    if reasons_out:
        print("\nfailure reasons (sum over the measured runs):")
        print("\n".join(reasons_out))
    if stall_out:
        print("\nclient stalls per run (longest time between two request starts in the window; 0.025 s = on schedule,")
        print("more = the client was starved of CPU, and a longest gap of about that size is the client's, not the VIP's):")
        print("\n".join(stall_out))
    if extra_out:
        print("\npartition details:")
        print("\n".join(extra_out))


def fmt_med(xs):
    m = median(xs)
    return "-" if m is None else f"{m:.3f}"


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("window")
    w.add_argument("--log", required=True)
    w.add_argument("--start", type=float, required=True)
    w.add_argument("--end", type=float, required=True)
    c = sub.add_parser("converge")
    for k in ("ns-a", "ns-b", "dev-a", "dev-b", "vip", "tree-a", "tree-b"):
        c.add_argument("--" + k, required=True)
    c.add_argument("--since", type=float, required=True)
    c.add_argument("--timeout", type=float, default=30)
    t = sub.add_parser("table")
    t.add_argument("--results", required=True)
    t.add_argument("--events", required=True)
    t.add_argument("--stacks", required=True)
    a = p.parse_args()
    {"window": cmd_window, "converge": cmd_converge, "table": cmd_table}[a.cmd](a)


if __name__ == "__main__":
    main()
