#!/usr/bin/env bash
# Proxy benchmark: salt-ha-gateway and nginx side by side in one run, same upstream, same CPU.
#
#   bench/proxy/run.sh [--runs N] [--duration S] [--warmup S] [--connections C] [--threads T]
#                      [--proxy-cpu N] [--load-cpu N] [--gateway PATH] [--no-baseline]
#                      [--variant 'NAME:VAR=VALUE VAR2=VALUE2']... [--nice N] [--keep]
#
# Defaults: --runs 5 --duration 10 --warmup 15 --connections 32 --threads 1 --nice -10.
#
# Layout (loopback only): an upstream nginx (`return 200 "ok\n"`) and wrk share the load CPU (default 0); the
# proxy under test (the gateway, or nginx as a reverse proxy) is pinned to the proxy CPU (default 1). Both proxies
# keep connections alive on both sides. Every proxy process is started once and warmed up, then the runs alternate
# (gateway, [variants...], nginx, gateway, ...) and the summary reports medians.
#
# Per run: requests/s from wrk, and the proxy's CPU time per request (utime+stime from /proc/PID/stat across the
# measured window divided by the requests wrk completed). For the gateway also VmRSS (peak sampled while under
# load) and VmHWM.
#
# --variant starts one more gateway process with extra environment variables (runtime knobs), measured the same
# way, e.g. --variant 'pgo-off:DOTNET_TieredPGO=0' --variant 'inline:DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1'.
# --nice gives every benchmark process (both proxies, upstream, wrk) the same raised priority so other work on a
# shared machine disturbs the windows less (needs root for negative values; 0 to turn off).
# NAME must not contain ':'. A STICKY=1 item gives that gateway's upstream nginx's
#   sticky learn create=$upstream_http_x_auth_token lookup=$http_x_auth_token zone=bench:1m timeout=10h header
# with the session learned before the runs, so every measured request is a sticky lookup that hits (the cost of
# salt-api stickiness); STICKY=noheader is the same without `header` (learned when the response is complete).
# A GATEWAY=PATH item in a variant's list runs another build of the gateway instead (for example a patched copy),
# so code changes can be compared in the same alternation.
# --no-baseline drops the plain gateway (then the first variant is the one the targets are checked against).
#
# Build first: dotnet build src/SaltHaGateway -c Release
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"
runs=5 duration=10 warmup=15 conns=32 threads=1 proxy_cpu=1 load_cpu=0 keep=0 baseline=1 nice=-10
gateway="$repo/src/SaltHaGateway/bin/Release/net10.0/salt-ha-gateway"
variants=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --connections) conns="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --proxy-cpu) proxy_cpu="$2"; shift 2 ;;
    --load-cpu) load_cpu="$2"; shift 2 ;;
    --gateway) gateway="$2"; shift 2 ;;
    --variant) variants+=("$2"); shift 2 ;;
    --no-baseline) baseline=0; shift ;;
    --keep) keep=1; shift ;;
    --nice) nice="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $baseline == 1 ]] && variants=("gateway:" "${variants[@]}")
[[ ${#variants[@]} -gt 0 ]] || { echo "run.sh: nothing to measure" >&2; exit 2; }
for tool in nginx wrk taskset curl python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 2; }
done
[[ -x "$gateway" ]] || { echo "run.sh: $gateway missing; run: dotnet build src/SaltHaGateway -c Release" >&2; exit 2; }

work="$(mktemp -d /tmp/proxy-bench.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ $keep == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

wait_ok() {  # url name
  bench_wait_ok "$1" && return 0
  echo "run.sh: $2 did not answer on $1; log in $work" >&2
  keep=1
  exit 1
}

nv=${#variants[@]}
read -r -a ports <<<"$(bench_free_ports $((2 + 2 * nv)))"
up_port=${ports[0]} ngx_port=${ports[1]}

# --- upstream nginx (load CPU), and nginx as the reverse proxy under test (proxy CPU) ---
bench_upstream_conf "$work/upstream" "$up_port"
bench_nginx_proxy_conf "$work/nginx" "$ngx_port" "$up_port"
nice -n "$nice" taskset -c "$load_cpu" nginx -p "$work/upstream" -c "$work/upstream/nginx.conf" >"$work/upstream/out.log" 2>&1 &
pids+=($!)
nice -n "$nice" taskset -c "$proxy_cpu" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" >"$work/nginx/out.log" 2>&1 &
pids+=($!); ngx_pid=$!
wait_ok "http://127.0.0.1:$up_port/" "upstream nginx"
wait_ok "http://127.0.0.1:$ngx_port/" "nginx proxy"

# --- gateway processes, one per variant (proxy CPU) ---
names=() envs=() gw_ports=() gw_pids=() bins=()
for i in "${!variants[@]}"; do
  spec="${variants[$i]}"
  name="${spec%%:*}" env_list="${spec#*:}" bin="$gateway" kept="" sticky=""
  for item in $env_list; do
    if [[ $item == GATEWAY=* ]]; then bin="${item#GATEWAY=}"
    elif [[ $item == STICKY=1 ]]; then sticky=', "Sticky": "learn create=$upstream_http_x_auth_token lookup=$http_x_auth_token zone=bench:1m timeout=10h header"'
    elif [[ $item == STICKY=noheader ]]; then sticky=', "Sticky": "learn create=$upstream_http_x_auth_token lookup=$http_x_auth_token zone=bench:1m timeout=10h"'
    else kept+="$item "; fi
  done
  env_list="$kept"
  [[ -x "$bin" ]] || { echo "run.sh: $bin missing" >&2; exit 2; }
  port=${ports[$((2 + 2 * i))]} admin=${ports[$((3 + 2 * i))]}
  bench_gateway_conf "$work/$name" "$port" "$admin" "$up_port" "$sticky"
  # shellcheck disable=SC2086
  env $env_list nice -n "$nice" taskset -c "$proxy_cpu" "$bin" run --config "$work/$name/gateway.json" >"$work/$name/out.log" 2>&1 &
  pids+=($!); gw_pids+=($!)
  names+=("$name") envs+=("$env_list") gw_ports+=("$port") bins+=("$bin")
done
for i in "${!names[@]}"; do
  wait_ok "http://127.0.0.1:${gw_ports[$i]}/" "gateway ${names[$i]}"
  curl -s -o /dev/null "http://127.0.0.1:${gw_ports[$i]}/login"  # the session a STICKY=1 variant learns
done

cpu_ticks() {  # pid...: utime+stime summed
  local t=0 p f
  for p in "$@"; do
    f=$(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null) || continue
    t=$((t + ${f% *} + ${f#* }))
  done
  echo "$t"
}
ctx_switches() {  # pid...: context switches of all their threads (voluntary + involuntary)
  local p
  for p in "$@"; do cat /proc/"$p"/task/*/status 2>/dev/null; done | awk '/ctxt_switches:/ { s += $2 } END { print s + 0 }'
}
nginx_pids() { echo "$ngx_pid $(pgrep -P "$ngx_pid" | tr '\n' ' ')"; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)

# One measured wrk run against a port; the proxy's CPU is read from the given pids.
# Prints: rps requests cpu_us_per_request p50 p99 peak_rss_kb context_switches_per_request errors
measure() {  # port seconds pids...
  local port=$1 secs=$2; shift 2
  local before after out peak=0 rss p cs_before cs_after
  cs_before=$(ctx_switches "$@")
  before=$(cpu_ticks "$@")
  nice -n "$nice" taskset -c "$load_cpu" wrk -t"$threads" -c"$conns" -d"${secs}s" --latency -H "X-Auth-Token: bench-session-token" "http://127.0.0.1:$port/" >"$work/wrk.out" 2>&1 &
  local wrk_pid=$!
  while kill -0 "$wrk_pid" 2>/dev/null; do
    rss=0
    for p in "$@"; do rss=$((rss + $(status_kb "$p" VmRSS))); done
    ((rss > peak)) && peak=$rss
    sleep 0.5
  done
  wait "$wrk_pid"
  after=$(cpu_ticks "$@")
  cs_after=$(ctx_switches "$@")
  out="$work/wrk.out"
  awk -v hz="$hz" -v ticks=$((after - before)) -v peak="$peak" -v cs=$((cs_after - cs_before)) '
    / requests in / { req = $1 }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
    /Non-2xx|Socket errors/ { err = err $0 ";" }
    END { if (err == "") err = "none"; gsub(/ +/, " ", err)
          printf "%.0f %d %.2f %s %s %d %.2f %s\n", rps, req, ticks * 1e6 / hz / req, p50, p99, peak, cs / req, err }' "$out"
}

echo "# proxy benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "# wrk -t$threads -c$conns -d${duration}s, runs=$runs, warmup=${warmup}s; proxy on cpu $proxy_cpu, wrk+upstream on cpu $load_cpu; nice $nice"
echo "# loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!names[@]}"; do echo "# ${names[$i]}: ${bins[$i]} ${envs[$i]}"; done

echo "# warm-up"
for i in "${!names[@]}"; do measure "${gw_ports[$i]}" "$warmup" "${gw_pids[$i]}" >/dev/null; done
# shellcheck disable=SC2046
measure "$ngx_port" "$warmup" $(nginx_pids) >/dev/null

results="$work/results"
: >"$results"
printf '%-4s %-22s %9s %10s %10s %7s %9s %9s %7s %7s  %s\n' run proxy req/s requests cpu_us/req cs/req p50 p99 rss_MB hwm_MB errors
for r in $(seq 1 "$runs"); do
  # The gateway items take turns at going first, so that no item always follows the same one.
  for k in "${!names[@]}"; do
    i=$(((k + r - 1) % ${#names[@]}))
    read -r rps req cpu p50 p99 peak cs err <<<"$(measure "${gw_ports[$i]}" "$duration" "${gw_pids[$i]}")"
    hwm=$(status_kb "${gw_pids[$i]}" VmHWM)
    echo "${names[$i]} $rps $cpu $peak $hwm $cs $r" >>"$results"
    printf '%-4s %-22s %9s %10s %10s %7s %9s %9s %7s %7s  %s\n' "$r" "${names[$i]}" "$rps" "$req" "$cpu" "$cs" "$p50" "$p99" \
      "$((peak / 1024))" "$((hwm / 1024))" "$err"
  done
  # shellcheck disable=SC2046
  read -r rps req cpu p50 p99 peak cs err <<<"$(measure "$ngx_port" "$duration" $(nginx_pids))"
  echo "nginx $rps $cpu $peak 0 $cs $r" >>"$results"
  printf '%-4s %-22s %9s %10s %10s %7s %9s %9s %7s %7s  %s\n' "$r" nginx "$rps" "$req" "$cpu" "$cs" "$p50" "$p99" \
    "$((peak / 1024))" "-" "$err"
done

echo
echo "# medians over $runs runs (ratios against nginx; targets: cpu/req <= 1.5x, req/s >= 0.7x, gateway RSS <= 150 MB)"
python3 - "$results" "${names[0]}" "${names[@]}" <<'EOF'
import statistics, sys
path, first, names = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = {}
per_run = {}
for line in open(path):
    n, rps, cpu, peak, hwm, cs, run = line.split()
    rows.setdefault(n, []).append((float(rps), float(cpu), int(peak), int(hwm), float(cs)))
    per_run.setdefault(run, {})[n] = float(cpu)
med = lambda n, k: statistics.median(r[k] for r in rows[n])
ng_rps, ng_cpu = med("nginx", 0), med("nginx", 1)
print(f"{'proxy':<22} {'req/s':>9} {'cpu_us/req':>10} {'rps_ratio':>9} {'cpu_ratio':>9} {'cs/req':>7} {'rss_max_MB':>10} {'hwm_MB':>7}")
print(f"{'nginx':<22} {ng_rps:>9.0f} {ng_cpu:>10.2f} {1:>9.2f} {1:>9.2f} {med('nginx', 4):>7.2f} {max(r[2] for r in rows['nginx'])/1024:>10.1f} {'-':>7}")
for n in names:
    rps, cpu = med(n, 0), med(n, 1)
    rss = max(r[2] for r in rows[n]) / 1024
    hwm = max(r[3] for r in rows[n]) / 1024
    print(f"{n:<22} {rps:>9.0f} {cpu:>10.2f} {rps/ng_rps:>9.2f} {cpu/ng_cpu:>9.2f} {med(n, 4):>7.2f} {rss:>10.1f} {hwm:>7.1f}")
# Paired: each variant's CPU per request over the first item's in the same round, median over the rounds (steadier
# than a ratio of medians when the machine's load drifts between rounds).
for n in names[1:]:
    ratios = sorted(r[n] / r[first] for r in per_run.values() if n in r and first in r)
    if ratios:
        print(f"# {n}: cpu/req over {first}'s in the same round: median {statistics.median(ratios):.3f} "
              f"(rounds: {' '.join(f'{x:.3f}' for x in ratios)})")
rps, cpu = med(first, 0), med(first, 1)
hwm = max(r[3] for r in rows[first]) / 1024
verdict = lambda ok: "PASS" if ok else "FAIL"
print(f"\n# targets for '{first}': cpu/req {cpu/ng_cpu:.2f}x nginx -> {verdict(cpu/ng_cpu <= 1.5)}; "
      f"req/s {rps/ng_rps:.2f}x nginx -> {verdict(rps/ng_rps >= 0.7)}; VmHWM {hwm:.1f} MB -> {verdict(hwm <= 150)}")
EOF
echo "# loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
