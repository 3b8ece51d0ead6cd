#!/usr/bin/env bash
# Startup and memory: the published (NativeAOT) artifact beside the framework-dependent build, in one run.
#
#   bench/startup/run.sh [--runs N] [--idle S] [--load S] [--fdd PATH] [--aot PATH] [--variant 'NAME:VAR=VALUE ...']...
#                        [--no-proxy] [--proxy-runs N]
#
# Defaults: --runs 7 --idle 10 --load 10 --proxy-runs 3; --fdd src/SaltHaGateway/bin/Release/net10.0/salt-ha-gateway,
# --aot artifacts/aot/salt-ha-gateway (build it with: dotnet publish src/SaltHaGateway -c Release -o artifacts/aot).
#
# 1. measure.py, alternating the builds: each is exec'd with an EMPTY environment (env={}; the framework-dependent
#    apphost finds .NET in its registered location) on a loopback config with one upstream (an nginx returning
#    200) and a tcp health check, and the proxy port is polled every 5 ms until a proxied 200 comes back
#    (exec -> first proxied 200: config load, first health round, listeners, warm-up, first request).
#    Then IDLE seconds later: VmRSS (idle RSS) and where it is (GC heap / file-backed / other anonymous, from
#    smaps), VmHWM, total CPU time; then LOAD seconds of `wrk -t1 -c32` through the proxy (peak VmRSS and its
#    breakdown; --load 0 skips it); then SIGTERM (stop time). Unpinned: for RSS, not CPU per request.
# 2. bench/proxy/run.sh with the published artifact as a variant (GATEWAY=PATH) beside the framework-dependent
#    build and nginx: RSS and CPU per request under load (pinned, alternating rounds).
# --variant runs the published artifact once more in both steps with extra environment variables (runtime knobs),
#    e.g. --variant 'gen0-uncapped:DOTNET_GCGen0MaxBudget=FFFFFFFFFF' (GC settings in the environment are hex and
#    override the ones built in); a GATEWAY=PATH item runs another build instead, e.g. the framework-dependent one.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"
runs=7 idle=10 load=10 proxy=1 proxy_runs=3
variants=()
fdd="$repo/src/SaltHaGateway/bin/Release/net10.0/salt-ha-gateway"
aot="$repo/artifacts/aot/salt-ha-gateway"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --idle) idle="$2"; shift 2 ;;
    --load) load="$2"; shift 2 ;;
    --variant) variants+=("$2"); shift 2 ;;
    --fdd) fdd="$2"; shift 2 ;;
    --aot) aot="$2"; shift 2 ;;
    --no-proxy) proxy=0; shift ;;
    --proxy-runs) proxy_runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -x "$fdd" ]] || { echo "run.sh: $fdd missing; run: dotnet build src/SaltHaGateway -c Release" >&2; exit 2; }
[[ -x "$aot" ]] || { echo "run.sh: $aot missing; run: dotnet publish src/SaltHaGateway -c Release -o artifacts/aot" >&2; exit 2; }
for tool in nginx python3 $([[ $load != 0 ]] && echo wrk); do command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 2; }; done

work="$(mktemp -d /tmp/startup-bench.XXXXXX)"
ngx=""
cleanup() { [[ -n $ngx ]] && kill "$ngx" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
up_port=$(bench_free_ports 1)
bench_upstream_conf "$work/upstream" "$up_port"
nginx -p "$work/upstream" -c "$work/upstream/nginx.conf" >"$work/upstream/out.log" 2>&1 &
ngx=$!
bench_wait_ok "http://127.0.0.1:$up_port/" || { echo "run.sh: the upstream nginx did not answer; $work/upstream/out.log" >&2; exit 1; }

echo "# startup benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "# runs=$runs idle=${idle}s load=${load}s; loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# framework-dependent: $fdd"
echo "# published:           $aot ($(du -m "$aot" | cut -f1) MB)"
builds=("framework-dep=$fdd" "published=$aot")
proxy_variants=(--variant "published:GATEWAY=$aot")
for v in "${variants[@]}"; do
  bin="$aot" env_list=""
  for item in ${v#*:}; do
    if [[ $item == GATEWAY=* ]]; then bin="${item#GATEWAY=}"; else env_list+="$item "; fi
  done
  echo "# ${v%%:*}: $bin $env_list"
  builds+=("${v%%:*}=$bin|$env_list")
  proxy_variants+=(--variant "${v%%:*}:GATEWAY=$bin $env_list")
done
python3 "$here/measure.py" "$work" "$up_port" "$idle" "$runs" "$load" "${builds[@]}"
echo "# loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ $proxy == 1 ]]; then
  echo
  "$repo/bench/proxy/run.sh" --runs "$proxy_runs" --gateway "$fdd" "${proxy_variants[@]}"
fi
