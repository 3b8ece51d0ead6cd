#!/usr/bin/env bash
# Profiles the gateway under the proxy benchmark's load (same layout as run.sh: gateway on the proxy CPU, wrk and
# an nginx upstream on the load CPU, loopback only) and leaves the raw data in OUT (default /tmp/proxy-profile):
#   counters.csv    dotnet-counters System.Runtime during a load window (allocation rate, GC counts)
#   trace.nettrace  dotnet-trace dotnet-sampled-thread-time (+ .speedscope.json), summarised by speedscope_top.py
#   perf.txt        perf record -g on-CPU samples (kernel included), when perf is installed
#   summary.txt     requests/s per window and bytes allocated per request
#
#   bench/proxy/profile.sh [--out DIR] [--seconds S] [--connections C] [--gateway PATH] [-- VAR=VALUE...]
#
# Needs: dotnet tool install -g dotnet-trace; dotnet tool install -g dotnet-counters (PATH=$PATH:~/.dotnet/tools).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"
out=/tmp/proxy-profile secs=10 conns=32 proxy_cpu=1 load_cpu=0
gateway="$repo/src/SaltHaGateway/bin/Release/net10.0/salt-ha-gateway"
extra_env=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --seconds) secs="$2"; shift 2 ;;
    --connections) conns="$2"; shift 2 ;;
    --gateway) gateway="$2"; shift 2 ;;
    --) shift; extra_env=("$@"); break ;;
    *) echo "profile.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
export PATH="$PATH:$HOME/.dotnet/tools"
mkdir -p "$out"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

read -r up_port gw_port admin_port <<<"$(bench_free_ports 3)"
bench_upstream_conf "$out/upstream" "$up_port"
bench_gateway_conf "$out/gateway" "$gw_port" "$admin_port" "$up_port"
nice -n -10 taskset -c "$load_cpu" nginx -p "$out/upstream" -c "$out/upstream/nginx.conf" >"$out/upstream/out.log" 2>&1 &
pids+=($!)
env DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 "${extra_env[@]}" nice -n -10 taskset -c "$proxy_cpu" "$gateway" run --config "$out/gateway/gateway.json" >"$out/gateway.log" 2>&1 &
pids+=($!); gw=$!
bench_wait_ok "http://127.0.0.1:$gw_port/" || { echo "profile.sh: the gateway did not answer; $out/gateway.log" >&2; exit 1; }

load() {  # seconds -> prints requests/s
  nice -n -10 taskset -c "$load_cpu" wrk -t1 -c"$conns" -d"${1}s" "http://127.0.0.1:$gw_port/" | awk '/^Requests\/sec:/ { print $2 }'
}
echo "warm-up 15 s"; load 15 >/dev/null
: >"$out/summary.txt"

echo "dotnet-counters ${secs}s"
rps_file="$out/rps.counters"; (load $((secs + 2)) >"$rps_file") &
lp=$!
sleep 1
timeout -k 2 $((secs + 10)) dotnet-counters collect -p "$gw" --counters System.Runtime --refresh-interval 1 --format csv -o "$out/counters.csv" \
  --duration "00:00:$(printf %02d "$secs")" >/dev/null || true
wait "$lp" || true
rps=$(cat "$rps_file")
alloc=$(awk -F, '/total_allocated/ { n++; s += $NF } END { if (n) printf "%.0f", s / n }' "$out/counters.csv")
gcs=$(awk -F, '/gc.collections.*gen0/ { n++; s += $NF } END { if (n) printf "%.1f", s / n }' "$out/counters.csv")
cpu=$(awk -F, '/process.cpu.time/ { n++; s += $NF } END { if (n) printf "%.3f", s / (n / 2) }' "$out/counters.csv")
echo "counters window: $rps req/s; allocated $alloc B/s -> $(awk -v a="$alloc" -v r="$rps" 'BEGIN { printf "%.0f", a / r }') B/request; gen0 GCs/s $gcs; CPU s/s $cpu" | tee -a "$out/summary.txt"

echo "dotnet-trace ${secs}s"
(load $((secs + 4)) >"$out/rps.trace") &
lp=$!
sleep 1
timeout -k 2 $((secs + 20)) dotnet-trace collect -p "$gw" --profile dotnet-sampled-thread-time --format Speedscope -o "$out/trace.nettrace" \
  --duration "00:00:00:$(printf %02d "$secs")" >"$out/trace.log" 2>&1 || true
wait "$lp" || true
echo "trace window: $(cat "$out/rps.trace") req/s" | tee -a "$out/summary.txt"

if command -v perf >/dev/null; then
  echo "perf ${secs}s"
  (load $((secs + 2)) >"$out/rps.perf") &
  lp=$!
  sleep 1
  perf record -F 499 -g -p "$gw" -o "$out/perf.data" -- sleep "$secs" >/dev/null 2>&1 || true
  wait "$lp" || true
  echo "perf window: $(cat "$out/rps.perf") req/s" | tee -a "$out/summary.txt"
  perf report -i "$out/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null | grep -v '^$' | head -400 >"$out/perf.txt" || true
  perf report -i "$out/perf.data" --children --sort symbol --stdio -g none 2>/dev/null | grep -v '^$' | head -300 >"$out/perf-children.txt" || true
fi
echo "raw data in $out"
