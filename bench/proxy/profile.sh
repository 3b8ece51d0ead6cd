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

read -r up_port gw_port admin_port <<<"$(python3 -c '
import socket
s=[socket.socket() for _ in range(3)]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))')"

mkdir -p "$out/upstream"
cat >"$out/upstream/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $out/upstream/nginx.pid;
error_log $out/upstream/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $out/upstream/tmp;
  proxy_temp_path $out/upstream/tmp;
  fastcgi_temp_path $out/upstream/tmp;
  uwsgi_temp_path $out/upstream/tmp;
  scgi_temp_path $out/upstream/tmp;
  server { listen 127.0.0.1:$up_port; location / { default_type text/plain; return 200 "ok\n"; } }
}
EOF
cat >"$out/gateway.json" <<EOF
{
  "Gateway": {
    "Listen": [ "http://127.0.0.1:$gw_port" ],
    "Admin": { "Listen": "http://127.0.0.1:$admin_port" },
    "AccessLog": { "Format": "off" },
    "Log": { "Level": "Warning" }
  },
  "ReverseProxy": {
    "Routes": { "act2": { "ClusterId": "act2", "Match": { "Path": "/{**catch-all}" },
                          "Metadata": { "ProxySetHeader.Host": "\$host:\$server_port" } } },
    "Clusters": { "act2": { "Metadata": { "Balance": "round_robin", "Keepalive": "32" },
                            "Destinations": { "127.0.0.1:$up_port": { "Address": "http://127.0.0.1:$up_port" } } } }
  }
}
EOF
nice -n -10 taskset -c "$load_cpu" nginx -p "$out/upstream" -c "$out/upstream/nginx.conf" >"$out/upstream/out.log" 2>&1 &
pids+=($!)
env DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 "${extra_env[@]}" nice -n -10 taskset -c "$proxy_cpu" "$gateway" run --config "$out/gateway.json" >"$out/gateway.log" 2>&1 &
pids+=($!); gw=$!
for _ in $(seq 1 150); do [[ "$(curl -s --max-time 1 "http://127.0.0.1:$gw_port/")" == ok ]] && break; sleep 0.2; done

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
