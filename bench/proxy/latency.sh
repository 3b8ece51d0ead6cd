#!/usr/bin/env bash
# Latency under a constant request rate (open loop, no coordinated omission): the gateway beside nginx and HAProxy,
# at fractions of nginx's saturation rate measured in the same run.
#
#   bench/proxy/latency.sh [--rounds N] [--duration S] [--loads '0.5 0.9'] [--connections C]
#                          [--gateway PATH]... [--nice N] [--keep]
#
# Layout as in run.sh (loopback only): an upstream nginx (`return 200 "ok\n"`) and the load generator on the load
# CPU (0); each proxy under test pinned to the proxy CPU (1), keep-alive on both sides, access logs off, the same
# four request headers. nginx's saturation rate R is measured first with wrk -c C (median of 3 × 5 s); then each
# round sends, for every load L and every proxy in turn (the order rotates), L × R requests/s for S seconds after a
# 1 s warm-up with bench/proxy/ratelat (compiled on the fly with cc) and records p50/p90/p99/p99.9/max, the proxy's
# CPU µs per request at that rate and the requests sent late (generator or connections saturated).
# Every --gateway adds one gateway process (default: this checkout's Release build).
#
# Needs: nginx, haproxy, wrk, cc, curl, python3, taskset; root for --nice below 0 (default -10).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"
rounds=7 secs=8 loads="0.5 0.9" conns=32 proxy_cpu=1 load_cpu=0 nice=-10 keep=0
gateways=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --duration) secs="$2"; shift 2 ;;
    --loads) loads="$2"; shift 2 ;;
    --connections) conns="$2"; shift 2 ;;
    --gateway) gateways+=("$2"); shift 2 ;;
    --nice) nice="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "latency.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ ${#gateways[@]} -gt 0 ]] || gateways=("$repo/src/SaltHaGateway/bin/Release/net10.0/salt-ha-gateway")
for tool in nginx haproxy wrk cc curl python3 taskset; do
  command -v "$tool" >/dev/null || { echo "latency.sh: $tool not found" >&2; exit 2; }
done
for g in "${gateways[@]}"; do [[ -x "$g" ]] || { echo "latency.sh: $g missing (dotnet build src/SaltHaGateway -c Release)" >&2; exit 2; }; done

work="$(mktemp -d /tmp/proxy-latency.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ $keep == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
cc -O2 -o "$work/ratelat" "$here/ratelat.c"

n=${#gateways[@]}
read -r -a ports <<<"$(bench_free_ports $((3 + 2 * n)))"
up_port=${ports[0]} ngx_port=${ports[1]} hap_port=${ports[2]}

mkdir -p "$work/haproxy"
bench_upstream_conf "$work/upstream" "$up_port"
bench_nginx_proxy_conf "$work/nginx" "$ngx_port" "$up_port"
# HAProxy: one thread, keep-alive both sides (connections reused across clients), no logging, the same headers
# (the client's Host is passed on as it is, which is $host:$server_port here).
cat >"$work/haproxy/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 75s
  timeout server 75s
  option http-keep-alive
  http-reuse always
frontend fe
  bind 127.0.0.1:$hap_port
  option forwardfor
  http-request set-header X-Real-IP %[src]
  http-request set-header X-Forwarded-Proto http
  default_backend act2
backend act2
  server s1 127.0.0.1:$up_port
EOF

nice -n "$nice" taskset -c "$load_cpu" nginx -p "$work/upstream" -c "$work/upstream/nginx.conf" >"$work/upstream/out.log" 2>&1 &
pids+=($!)
nice -n "$nice" taskset -c "$proxy_cpu" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" >"$work/nginx/out.log" 2>&1 &
pids+=($!); ngx_pid=$!
nice -n "$nice" taskset -c "$proxy_cpu" haproxy -db -f "$work/haproxy/haproxy.cfg" >"$work/haproxy/out.log" 2>&1 &
pids+=($!); hap_pid=$!

names=(nginx haproxy) ports_of=("$ngx_port" "$hap_port") pids_of=("$ngx_pid" "$hap_pid")
for i in "${!gateways[@]}"; do
  port=${ports[$((3 + 2 * i))]} admin=${ports[$((4 + 2 * i))]}
  bench_gateway_conf "$work/g$i" "$port" "$admin" "$up_port"
  nice -n "$nice" taskset -c "$proxy_cpu" "${gateways[$i]}" run --config "$work/g$i/gateway.json" >"$work/g$i/out.log" 2>&1 &
  pids+=($!)
  names+=("gateway$([[ $n -gt 1 ]] && echo "-$i" || true)") ports_of+=("$port") pids_of+=($!)
done
for i in "${!names[@]}"; do
  bench_wait_ok "http://127.0.0.1:${ports_of[$i]}/" || { echo "latency.sh: ${names[$i]} did not answer; logs in $work" >&2; keep=1; exit 1; }
done

proc_pids() {  # pid -> the pid and its children (nginx's worker)
  echo "$1 $(pgrep -P "$1" | tr '\n' ' ')"
}
cpu_ticks() {
  local t=0 p f
  for p in $(proc_pids "$1"); do
    f=$(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null) || continue
    t=$((t + ${f% *} + ${f#* }))
  done
  echo "$t"
}
hz=$(getconf CLK_TCK)
wrk_rps() {  # port seconds
  nice -n "$nice" taskset -c "$load_cpu" wrk -t1 -c"$conns" -d"${2}s" "http://127.0.0.1:$1/" | awk '/^Requests\/sec:/ { printf "%.0f", $2 }'
}

echo "# latency benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "# $(nginx -v 2>&1); $(haproxy -v | head -1); proxy on cpu $proxy_cpu, generator+upstream on cpu $load_cpu; nice $nice; $conns connections"
echo "# loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!gateways[@]}"; do echo "# gateway $i: ${gateways[$i]}"; done
echo "# warm-up 15 s each"
for i in "${!names[@]}"; do wrk_rps "${ports_of[$i]}" 15 >/dev/null; done
sat=()
for _ in 1 2 3; do sat+=("$(wrk_rps "$ngx_port" 5)"); done
rate=$(printf '%s\n' "${sat[@]}" | sort -n | sed -n 2p)
echo "# nginx saturation (wrk -c$conns, 3 x 5 s): ${sat[*]} -> R = $rate req/s"

results="$work/results"
: >"$results"
printf '%-5s %-5s %-10s %8s %8s %8s %8s %8s %8s %9s %8s %6s %6s\n' round load proxy target sent p50_us p90_us p99_us p999_us max_us cpu_us/req errors late
for r in $(seq 1 "$rounds"); do
  for L in $loads; do
    target=$(python3 -c "print(round($L * $rate))")
    for k in "${!names[@]}"; do
      i=$(((k + r - 1) % ${#names[@]}))
      before=$(cpu_ticks "${pids_of[$i]}")
      line=$(nice -n "$nice" taskset -c "$load_cpu" "$work/ratelat" -p "${ports_of[$i]}" -r "$target" -d "$secs" -w 1 -c "$conns")
      after=$(cpu_ticks "${pids_of[$i]}")
      read -r _ sent count p50 p90 p99 p999 max errors late <<<"$line"
      # CPU over the whole ratelat run (warm-up second included) / requests sent in it
      cpu=$(python3 -c "print(f'{($after - $before) * 1e6 / $hz / max($sent * ($secs + 1), 1):.2f}')")
      echo "${names[$i]} $L $p50 $p90 $p99 $p999 $max $cpu $late $errors" >>"$results"
      printf '%-5s %-5s %-10s %8s %8s %8s %8s %8s %8s %9s %8s %6s %6s\n' "$r" "$L" "${names[$i]}" "$target" "$sent" "$p50" "$p90" "$p99" "$p999" "$max" "$cpu" "$errors" "$late"
    done
  done
done
echo
echo "# medians over $rounds rounds (µs); R = $rate req/s"
python3 - "$results" "$rate" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, load, *v = line.split()
    rows.setdefault((float(load), name), []).append([float(x) for x in v])
print(f"| load | req/s | proxy | p50 | p90 | p99 | p99.9 | max (worst round) | CPU µs/req | late (sum) |")
print(f"|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
for (load, name), v in sorted(rows.items()):
    m = lambda k: statistics.median(x[k] for x in v)
    print(f"| {load:.0%} | {load * float(sys.argv[2]):.0f} | {name} | {m(0):.0f} | {m(1):.0f} | {m(2):.0f} | {m(3):.0f} | "
          f"{max(x[4] for x in v):.0f} | {m(5):.2f} | {sum(x[6] for x in v):.0f} |")
loads = sorted({l for l, _ in rows})
for load in loads:
    if (load, "nginx") not in rows: continue
    ng = statistics.median(x[2] for x in rows[(load, "nginx")])
    for (l, name), v in sorted(rows.items()):
        if l == load and name != "nginx":
            print(f"# {load:.0%}: {name} p99 - nginx p99 = {statistics.median(x[2] for x in v) - ng:+.0f} µs")
EOF
echo "# loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
