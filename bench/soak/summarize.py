#!/usr/bin/env python3
"""Soak verdict: growth of each gateway's resources between an early and a late window, process deaths, reloads,
and client errors not explained by the induced failovers. Prints Markdown tables; exits 1 when a bound is broken.

Windows: after a warm-up of min(2 min, run/10), the baseline is the next min(5 min, run/5); the late window is the
last min(5 min, run/5). Growth compares the medians of the two windows (the bounds are in bench/soak/README.md)."""
import argparse
import csv
import statistics
import sys

# metric -> (column, scale, unit, bound kind, bound)
METRICS = [
    ("RSS", "rss_kb", 1 / 1024, "MB", "pct", 15.0),
    ("open fds", "fds", 1, "", "abs", 20),
    ("threads", "threads", 1, "", "abs", 10),
    ("GC heap after last GC", "gc_heap_bytes", 1 / 1048576, "MB", "pct", 25.0),
    ("timers", "timers", 1, "", "abs", 25),
]
FAILOVER_TAIL_S = 5  # errors this long after the VIP settled still count as the failover's


def load_events(path):
    events = []
    for line in open(path):
        parts = line.split()
        if len(parts) >= 2:
            events.append((float(parts[0]), parts[1], parts[2:]))
    return events


def failover_windows(events):
    """(start, end) of each failover: from the command to FAILOVER_TAIL_S after the VIP settled (or timed out)."""
    windows, start = [], None
    for t, name, _ in events:
        if name == "failover":
            if start is None:
                start = t
        elif name in ("vip", "vip-timeout") and start is not None:
            windows.append((start, t + FAILOVER_TAIL_S))
            start = None
    if start is not None:
        windows.append((start, float("inf")))
    return windows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", required=True)
    ap.add_argument("--wrk", required=True)
    ap.add_argument("--events", required=True)
    ap.add_argument("--minutes", type=float, required=True)
    ap.add_argument("--converged", default="yes")
    ap.add_argument("--reload-every", type=float, default=10)
    ap.add_argument("--gcdump", help="time,node,live_bytes: live heap after an induced full collection")
    args = ap.parse_args()

    rows = list(csv.DictReader(open(args.samples)))
    dumps = list(csv.DictReader(open(args.gcdump))) if args.gcdump else []
    events = load_events(args.events)
    failures = []
    if not rows:
        print("no samples")
        return 1
    t0, t_end = float(rows[0]["time"]), float(rows[-1]["time"])
    run_s = args.minutes * 60
    warm, win = min(120.0, run_s / 10), min(300.0, run_s / 5)
    base_lo, base_hi = t0 + warm, t0 + warm + win
    last_lo = t_end - win

    print(f"\nSampling: {len(rows) // 2} samples per node over {(t_end - t0) / 60:.1f} min; baseline window "
          f"{warm / 60:.1f}-{(warm + win) / 60:.1f} min, late window the last {win / 60:.1f} min (medians)\n")
    for node in ("a", "b"):
        print("\n| node | metric | baseline | late | max | growth | bound | |")
        print("|---|---|---:|---:|---:|---:|---:|---|")
        nrows = [r for r in rows if r["node"] == node]
        pids = {r["pid"] for r in nrows}
        dead = [r for r in nrows if r["alive"] != "1"]
        if dead or len(pids) != 1:
            failures.append(f"gateway {node} died (first at +{(float(dead[0]['time']) - t0) / 60:.1f} min)"
                            if dead else f"gateway {node} changed pid: {sorted(pids)}")
        metrics = list(METRICS)
        ndumps = [r for r in dumps if r["node"] == node]
        if ndumps:
            # the live heap from full collections decides; the heap after the last (mostly gen0) collection also
            # counts promoted garbage until a gen2 collection comes, so it is shown without a bound
            metrics = [m if m[1] != "gc_heap_bytes" else m[:4] + ("info", None) for m in metrics]
            metrics.append(("live heap (full GC, gcdump)", "live_bytes", 1 / 1048576, "MB", "pct", 25.0))
        for label, col, scale, unit, kind, bound in metrics:
            source = ndumps if col == "live_bytes" else nrows
            def values(lo, hi):
                # a GC heap of 0 means no collection has happened yet: not a sample
                return [float(r[col]) * scale for r in source
                        if r[col] != "" and not (col == "gc_heap_bytes" and float(r[col]) == 0)
                        and lo <= float(r["time"]) <= hi]
            base, late, every = values(base_lo, base_hi), values(last_lo, t_end), values(t0, t_end)
            if col == "live_bytes":
                # a few dumps, taken when their turn comes (a dump can land just outside a window): the first two
                # after the warm-up against the last two
                every = values(t0, float("inf"))
                after = [float(r[col]) * scale for r in source if float(r["time"]) >= base_lo]
                base, late = after[:2], after[-2:]
            if not base or not late:
                if col == "gc_heap_bytes" and every:
                    # an idle backup may not collect for minutes: nothing to compare, nothing grew
                    print(f"| {node} | {label} | n/a | n/a | {max(every):.1f} {unit} | no collection in a window | | ok |")
                elif col == "gc_heap_bytes":
                    print(f"| {node} | {label} | n/a | n/a | n/a | no collection during the run | | ok |")
                else:
                    failures.append(f"{node} {label}: no samples in a window")
                continue
            b, l, mx = statistics.median(base), statistics.median(late), max(every)
            if kind == "info":
                growth = (l - b) / b * 100 if b else 0.0
                ok = True
                g_txt, b_txt = f"{growth:+.1f} %", "(shown)"
            elif kind == "pct":
                growth = (l - b) / b * 100 if b else 0.0
                ok = growth <= bound
                g_txt, b_txt = f"{growth:+.1f} %", f"≤ +{bound:.0f} %"
            else:
                growth = l - b
                ok = growth <= bound
                g_txt, b_txt = f"{growth:+.0f}", f"≤ +{bound}"
            fmt = (lambda v: f"{v:.1f} {unit}".strip()) if unit else (lambda v: f"{v:.0f}")
            print(f"| {node} | {label} | {fmt(b)} | {fmt(l)} | {fmt(mx)} | {g_txt} | {b_txt} | {'ok' if ok else 'FAIL'} |")
            if not ok:
                failures.append(f"{node} {label} grew {g_txt} (bound {b_txt})")
        gens = [int(r["generation"]) for r in nrows if r["generation"]]
        fails = [int(r["reload_failures"]) for r in nrows if r["reload_failures"]]
        cpu = [float(r["cpu_s"]) for r in nrows if r["cpu_s"]]
        expected = (t_end - t0) / args.reload_every
        applied = gens[-1] - gens[0] if gens else 0
        print(f"\n{node}: reloads applied {applied} (config generation {gens[0] if gens else '?'} -> "
              f"{gens[-1] if gens else '?'}; ~{expected:.0f} written), reload failures {fails[-1] if fails else '?'}, "
              f"CPU {cpu[-1] - cpu[0] if cpu else 0:.0f} s over the run", end="")
        print()
        if applied < expected / 2:
            failures.append(f"{node}: only {applied} reloads applied of ~{expected:.0f} written")
        if fails and fails[-1] > 0:
            failures.append(f"{node}: {fails[-1]} reload failures")

    # VRRP takeovers nobody commanded: a node entered master between two samples outside every failover window
    # (on a starved machine a backup that misses 3 adverts takes the VIP for a moment)
    windows = failover_windows(events)
    uncommanded = []
    for node in ("a", "b"):
        prev = None
        for r in (r for r in rows if r["node"] == node and r.get("vrrp_to_master")):
            t, v = float(r["time"]), int(r["vrrp_to_master"])
            if prev is not None and v > prev[1] and not any(s <= t and prev[0] <= e for s, e in windows):
                uncommanded.append((prev[0], t, node, v - prev[1]))
            prev = (t, v)
    if uncommanded:
        print(f"\nUncommanded VRRP takeovers: {sum(u[3] for u in uncommanded)} (" + ", ".join(
            f"{u[2]} ×{u[3]} at +{(u[1] - t0) / 60:.1f} min" for u in uncommanded) + ")")

    # client side
    total = {"requests": 0, "non2xx": 0, "connect": 0, "read": 0, "write": 0, "timeout": 0}
    unexplained = dict(total)
    explained_err = 0
    takeover_err = 0
    chunks = 0
    for line in open(args.wrk):
        f = line.strip().split(",")
        if len(f) < 8:
            continue
        c0, c1 = float(f[0]), float(f[1])
        vals = dict(zip(["requests", "non2xx", "connect", "read", "write", "timeout"], map(int, f[2:8])))
        chunks += 1
        in_failover = any(s <= c1 and c0 <= e for s, e in windows)
        in_takeover = not in_failover and any(s <= c1 and c0 <= e for s, e, _, _ in uncommanded)
        errs = sum(v for k, v in vals.items() if k != "requests")
        for k, v in vals.items():
            total[k] += v
            if not in_failover and not in_takeover:
                unexplained[k] += v
        if in_failover:
            explained_err += errs
        elif in_takeover:
            takeover_err += errs
    errs_total = sum(v for k, v in total.items() if k != "requests")
    errs_unexpl = sum(v for k, v in unexplained.items() if k != "requests")
    req = total["requests"]
    print(f"\nClient (wrk through the VIP, {chunks} runs of ≤10 s): {req} requests ({req / max(t_end - t0, 1):.0f}/s); "
          f"errors {errs_total} (non-2xx {total['non2xx']}, connect {total['connect']}, read {total['read']}, "
          f"write {total['write']}, timeout {total['timeout']}); in 10 s windows overlapping a failover: "
          f"{explained_err}; overlapping an uncommanded VRRP takeover: {takeover_err}; elsewhere: {errs_unexpl} "
          f"({errs_unexpl / max(req, 1) * 100:.4f} %, bound ≤ 0.01 %)")
    if errs_unexpl / max(req, 1) > 0.0001:
        failures.append(f"{errs_unexpl} client errors outside failover windows")
    if req == 0:
        failures.append("no requests completed")

    # what happened
    kinds = {}
    for _, name, rest in events:
        key = name if name not in ("failover", "flap") else f"{name} {' '.join(rest)}"
        kinds[key] = kinds.get(key, 0) + 1
    moves = []
    for i, (t, name, rest) in enumerate(events):
        if name == "failover":
            nxt = next(((t2, n2) for t2, n2, _ in events[i + 1:] if n2 in ("vip", "vip-timeout")), None)
            if nxt:
                moves.append((rest[0], nxt[0] - t, nxt[1]))
    print("Events: " + ", ".join(f"{k} ×{v}" for k, v in sorted(kinds.items()) if k not in ("start", "end", "vip")))
    if moves:
        print("Failovers (command -> VIP alone on the other node): "
              + ", ".join(f"{k} {d:.2f} s{'' if n == 'vip' else ' TIMEOUT'}" for k, d, n in moves))
    if any(n != "vip" for _, _, n in moves):
        failures.append("a failover did not complete within 30 s")
    if args.converged != "yes":
        failures.append("sync trees not identical 60 s after the churn stopped")

    print()
    if failures:
        print("VERDICT: FAIL — " + "; ".join(failures))
        return 1
    print("VERDICT: PASS (no growth beyond the bounds, no process died, no unexplained client errors, trees converged)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
