#!/usr/bin/env bash
# Bytes the gateway allocates per proxied request, from the GC's allocated-bytes counter
# (System.Runtime dotnet.gc.heap.total_allocated, read with dotnet-counters over EventPipe).
#
#   bench/proxy/allocs.sh [--rounds N] [--duration S] [--connections C] [--gateway PATH]... [-- VAR=VALUE...]
#
# Same layout as run.sh: an upstream nginx (`return 200 "ok\n"`) and wrk on the load CPU (0), the gateway on the
# proxy CPU (1), the act2 route with the bench's Host rule, access log off. Each --gateway (default: this checkout's
# Release build) is started once and warmed up; then the rounds alternate between them. A round: dotnet-counters
# collects for S+4 seconds at a 1 s refresh while wrk runs for S seconds inside that window; bytes per request =
# (allocated bytes over the whole window - the idle rate measured before the round x the window) / requests.
# Prints bytes/request and gen0 collections per 1000 requests per round and the medians.
#
# Needs: nginx, wrk, curl, python3, taskset, and dotnet-counters (dotnet tool install -g dotnet-counters).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"
rounds=5 secs=5 conns=32 proxy_cpu=1 load_cpu=0
gateways=()
extra_env=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --duration) secs="$2"; shift 2 ;;
    --connections) conns="$2"; shift 2 ;;
    --gateway) gateways+=("$2"); shift 2 ;;
    --) shift; extra_env=("$@"); break ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "allocs.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ ${#gateways[@]} -gt 0 ]] || gateways=("$repo/src/SaltHaGateway/bin/Release/net10.0/salt-ha-gateway")
export PATH="$PATH:$HOME/.dotnet/tools"
for tool in nginx wrk curl python3 taskset dotnet-counters; do
  command -v "$tool" >/dev/null || { echo "allocs.sh: $tool not found" >&2; exit 2; }
done
for g in "${gateways[@]}"; do [[ -x "$g" ]] || { echo "allocs.sh: $g missing (dotnet build src/SaltHaGateway -c Release)" >&2; exit 2; }; done

work="$(mktemp -d /tmp/proxy-allocs.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

n=${#gateways[@]}
read -r -a ports <<<"$(bench_free_ports $((1 + 2 * n)))"
up_port=${ports[0]}
bench_upstream_conf "$work/upstream" "$up_port"
taskset -c "$load_cpu" nginx -p "$work/upstream" -c "$work/upstream/nginx.conf" >"$work/upstream/out.log" 2>&1 &
pids+=($!)

gw_pids=() gw_ports=()
for i in "${!gateways[@]}"; do
  port=${ports[$((1 + 2 * i))]} admin=${ports[$((2 + 2 * i))]}
  bench_gateway_conf "$work/g$i" "$port" "$admin" "$up_port"
  env "${extra_env[@]}" taskset -c "$proxy_cpu" "${gateways[$i]}" run --config "$work/g$i/gateway.json" >"$work/g$i/out.log" 2>&1 &
  pids+=($!); gw_pids+=($!); gw_ports+=("$port")
done
for i in "${!gateways[@]}"; do
  bench_wait_ok "http://127.0.0.1:${gw_ports[$i]}/" || { echo "allocs.sh: gateway $i did not answer; $work/g$i/out.log" >&2; exit 1; }
done

load() {  # port seconds -> requests completed
  taskset -c "$load_cpu" wrk -t1 -c"$conns" -d"${2}s" "http://127.0.0.1:$1/" | awk '/ requests in / { print $1 }'
}

# Sums a counter over a dotnet-counters CSV: "timestamp,provider,name,type,value" lines; rates are per interval.
sum_counter() {  # file name-substring
  python3 - "$1" "$2" <<'EOF'
import csv, sys
total, rows = 0.0, 0
for r in csv.reader(open(sys.argv[1])):
    if len(r) >= 5 and sys.argv[2] in r[2]:
        try: total += float(r[4]); rows += 1
        except ValueError: pass
print(f"{total:.0f} {rows}")
EOF
}

collect() {  # pid seconds out.csv
  timeout -k 2 $(($2 + 15)) dotnet-counters collect -p "$1" --counters System.Runtime --refresh-interval 1 --format csv -o "$3" \
    --duration "00:00:$(printf %02d "$2")" >/dev/null 2>&1 || true
}

echo "# allocations per proxied request $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "# wrk -t1 -c$conns -d${secs}s inside a $((secs + 4)) s counter window; rounds=$rounds; loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!gateways[@]}"; do echo "# g$i: ${gateways[$i]} ${extra_env[*]}"; done
echo "# warm-up 15 s each"
for i in "${!gateways[@]}"; do load "${gw_ports[$i]}" 15 >/dev/null; done

results="$work/results"
: >"$results"
printf '%-5s %-4s %10s %12s %12s %10s\n' round gw requests bytes/req idle_B/s gen0/1kreq
for r in $(seq 1 "$rounds"); do
  for k in "${!gateways[@]}"; do
    i=$(((k + r - 1) % n))
    pid=${gw_pids[$i]}
    # Idle rate first (the gateway's own timers), then the loaded window.
    collect "$pid" 3 "$work/idle.csv"
    read -r idle idle_rows <<<"$(sum_counter "$work/idle.csv" total_allocated)"
    idle_rate=$(python3 -c "print(${idle} / max(${idle_rows}, 1))")
    (sleep 2; load "${gw_ports[$i]}" "$secs" >"$work/req") &
    lp=$!
    collect "$pid" $((secs + 4)) "$work/load.csv"
    wait "$lp"
    req=$(cat "$work/req")
    read -r alloc rows <<<"$(sum_counter "$work/load.csv" total_allocated)"
    read -r gen0 _ <<<"$(sum_counter "$work/load.csv" "collections ({collection} / 1 sec)[gc.heap.generation=gen0]")"
    bpr=$(python3 -c "print(f'{(${alloc} - ${idle_rate} * ${rows}) / max(${req}, 1):.0f}')")
    g0=$(python3 -c "print(f'{${gen0} * 1000 / max(${req}, 1):.3f}')")
    echo "g$i $bpr $g0" >>"$results"
    printf '%-5s %-4s %10s %12s %12.0f %10s\n' "$r" "g$i" "$req" "$bpr" "$idle_rate" "$g0"
  done
done
echo
python3 - "$results" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    g, b, g0 = line.split()
    rows.setdefault(g, []).append((float(b), float(g0)))
for g, v in sorted(rows.items()):
    print(f"# {g}: median {statistics.median(x[0] for x in v):.0f} bytes/request "
          f"(rounds {' '.join(f'{x[0]:.0f}' for x in v)}); gen0 GCs per 1000 requests {statistics.median(x[1] for x in v):.3f}")
EOF
echo "# loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
