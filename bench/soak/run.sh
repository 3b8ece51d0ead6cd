#!/usr/bin/env bash
# Soak: two gateway nodes under steady load for a bounded time while everything that changes at run time keeps
# changing; fails if memory, descriptors, threads or the GC heap grow beyond the bounds in README.md, if a gateway
# process dies, or if clients see errors that the induced failovers do not explain.
#
#   bench/soak/run.sh [--minutes M] [--sample S] [--reload-every S] [--failover-every S] [--flap MIN-MAX]
#                     [--connections C] [--delay-ms D] [--advert S] [--gateway PATH] [--no-gcdump] [--keep]
#
# Defaults: --minutes 30 --sample 10 --reload-every 10 --failover-every 180 --flap 20-40 --connections 4
#           --delay-ms 10 (each wrk connection waits 10 ms before its next request: a few hundred requests/s)
#           --advert 1 (VRRP advert interval, s: keepalived's default; 0.1 makes a starved machine flap the VIP).
#
# Topology (network namespaces made and deleted by the script; nothing on the host's interfaces):
#   namespace h: bridge br0; a 10.96.0.1/24, b 10.96.0.2/24, client c 10.96.0.3/24; VIP 10.96.0.100/24 (VRID 52,
#   VRRPv3, --advert, priorities a 150 / b 100, preempt). In a and b: an act2 stand-in (nginx) on :6868 and
#   the gateway on :80 (admin on the namespace's 127.0.0.1:9145), balancing round robin over a's and b's act2 and a
#   third stand-in on b's :6869 that flaps; config sync between a and b over mutual TLS.
# What keeps happening:
#   load      wrk in c against the VIP, in back-to-back 10 s runs (errors are attributed to their 10 s window)
#   reload    every --reload-every s both nodes' config files are rewritten with a real change (a second route and
#             cluster, with its own active check, appear and disappear; act2's ConnectTimeout alternates 1s/2s, so the
#             loaded cluster gets a new HTTP client and the old one is abandoned), so hot reload runs each time
#   flapping  the stand-in on b's :6869 is stopped, and started again, every 20-40 s (random)
#   sync      small files created, modified and deleted continuously in each node's synced root (a and b in disjoint
#             directories); at the end both trees must become identical
#   failover  every --failover-every s, in turn: `maintenance on` on a (VIP to b), `maintenance off` on a (a takes it
#             back), a's link down for 10 s and up again (b takes the VIP, a takes it back)
# Recorded every --sample s per gateway: VmRSS, open descriptors, threads, CPU seconds, GC heap (from /metrics),
# config generation and reload failures, VRRP state -> samples.csv. With dotnet-gcdump installed (unless --no-gcdump)
# also the live heap after an induced full collection, every 5 min -> gcdump.csv. summarize.py gives the verdict.
# Needs root, iproute2 (ip, bridge), nginx, wrk, curl, python3; a Release build (built if missing).
# The whole script is one { } block: bash parses it before running it, so editing this file during a soak is safe.
{
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/bench/soak
minutes=30 sample=10 reload_every=10 failover_every=180 flap=20-40 conns=4 delay_ms=10 keep=0 gcdump=auto advert=1
gateway=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --sample) sample="$2"; shift 2 ;;
    --reload-every) reload_every="$2"; shift 2 ;;
    --failover-every) failover_every="$2"; shift 2 ;;
    --flap) flap="$2"; shift 2 ;;
    --connections) conns="$2"; shift 2 ;;
    --delay-ms) delay_ms="$2"; shift 2 ;;
    --gateway) gateway="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --advert) advert="$2"; shift 2 ;;
    --no-gcdump) gcdump=no; shift ;;
    -h|--help) sed -n '2,31p' "$SELF" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for v in minutes sample reload_every failover_every conns delay_ms; do
  [[ ${!v} =~ ^[0-9]+$ && ${!v} -gt 0 ]] || { echo "run.sh: --${v//_/-} must be a positive integer, not '${!v}'" >&2; exit 2; }
done
[[ $flap =~ ^([0-9]+)-([0-9]+)$ ]] && (( BASH_REMATCH[1] > 0 && BASH_REMATCH[1] <= BASH_REMATCH[2] )) \
  || { echo "run.sh: --flap must be MIN-MAX seconds, e.g. 20-40, not '$flap'" >&2; exit 2; }
flap_min=${BASH_REMATCH[1]} flap_max=${BASH_REMATCH[2]}
[[ $advert =~ ^(0\.[1-9][0-9]?|[1-9][0-9]?(\.[0-9]+)?)$ ]] || { echo "run.sh: --advert must be seconds between 0.1 and 40, not '$advert'" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "run.sh: needs root (network namespaces)" >&2; exit 2; }
for tool in ip bridge nginx wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 2; }
done
GCDUMP=
if [[ $gcdump == auto ]]; then
  GCDUMP=$(command -v dotnet-gcdump || true)
  [[ -n $GCDUMP || ! -x $HOME/.dotnet/tools/dotnet-gcdump ]] || GCDUMP=$HOME/.dotnet/tools/dotnet-gcdump
fi

P=shgs$$
VIP=10.96.0.100
WORK=$(mktemp -d /tmp/shgs-XXXXXX)
declare -A PID=()
bg=()   # helper loops started by this script

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
event() { echo "$(date +%s.%N) $*" >> "$WORK/events.log"; }

cleanup() {
  trap - EXIT INT TERM
  local p n pids
  for p in "${bg[@]}"; do kill "$p" 2>/dev/null || true; done
  for n in c a b h; do
    pids=$(ip netns pids "$P$n" 2>/dev/null || true)
    [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
  done
  wait 2>/dev/null || true
  for n in a b c h; do ip netns del "$P$n" 2>/dev/null || true; done
  if [[ $keep == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------- gateway binary
if [[ -z $gateway ]]; then
  src=$ROOT/src/SaltHaGateway/bin/Release/net10.0
  [[ -x $src/salt-ha-gateway ]] || dotnet build src/SaltHaGateway -c Release -v q -nologo >/dev/null
  # a private copy: src/ may be rebuilt while the soak runs
  cp -a "$src" "$WORK/gw-bin"
  GW=$WORK/gw-bin/salt-ha-gateway
  built="$(date -r "$src/salt-ha-gateway" '+%F %T'), HEAD $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes in src/')"
else
  GW=$gateway
  built="given with --gateway"
fi
[[ -x $GW ]] || { echo "run.sh: $GW missing" >&2; exit 2; }
for n in a b; do
  mkdir -p "$WORK/$n/sync" "$WORK/$n/state" "$WORK/$n/srv/salt/churn/$n" "$WORK/$n/act2"
  "$GW" sync init --state-dir "$WORK/$n/sync" > "$WORK/$n/sync-init.out"
  tail -n1 "$WORK/$n/sync-init.out" > "$WORK/$n/fp"
done
# the tree both nodes start with (identical, same mtimes)
mkdir -p "$WORK/template/common"
for i in $(seq 1 20); do printf 'common_%s:\n  test.nop: []\n' "$i" > "$WORK/template/common/s$i.sls"; done
for n in a b; do cp -a "$WORK/template/common" "$WORK/$n/srv/salt/"; done
mkdir -p "$WORK/srv"

# ---------------------------------------------------------------------------------------------- topology
for n in h a b c; do ip netns add "$P$n"; ip -n "$P$n" link set lo up; done
ip -n "${P}h" link add br0 type bridge
ip -n "${P}h" link set br0 up
i=1
for n in a b c; do
  ip -n "$P$n" link add "v$n" type veth peer name "h$n" netns "${P}h"
  ip -n "${P}h" link set "h$n" master br0
  ip -n "${P}h" link set "h$n" up
  ip -n "$P$n" addr add "10.96.0.$i/24" dev "v$n"
  ip -n "$P$n" link set "v$n" up
  i=$((i + 1))
done

node_ip() { [ "$1" = a ] && echo 10.96.0.1 || echo 10.96.0.2; }
other() { [ "$1" = a ] && echo b || echo a; }
prio() { [ "$1" = a ] && echo 150 || echo 100; }

write_act2() { # node port
  local d=$WORK/$1/act2/$2
  mkdir -p "$d"
  cat > "$d/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $d/tmp-body; proxy_temp_path $d/tmp-proxy; fastcgi_temp_path $d/tmp-fastcgi;
  uwsgi_temp_path $d/tmp-uwsgi; scgi_temp_path $d/tmp-scgi;
  server {
    listen $2;
    location / { default_type text/plain; return 200 "act2 on $1:$2\n"; }
  }
}
CONF
}

start_act2() { # node port
  local d=$WORK/$1/act2/$2
  ip netns exec "$P$1" nginx -p "$d/" -c "$d/nginx.conf" -e "$d/error.log" >> "$d/out" 2>&1 &
  PID[act2-$1-$2]=$!
  disown $!   # killed at the end with everything in the namespaces; no job notices
}

write_gateway_conf() { # node generation -> writes the node's config; odd generations carry the extra route+cluster
  local n=$1 gen=$2 o; o=$(other "$n")
  local extra_route= extra_cluster=
  if (( gen % 2 == 1 )); then
    extra_route=',
      "extra": { "ClusterId": "extra", "Match": { "Path": "/extra/{**rest}" } }'
    extra_cluster=",
      \"extra\": {
        \"Metadata\": { \"Balance\": \"least_conn\", \"Check\": \"interval=2000 rise=1 fall=2 timeout=1000 type=tcp\" },
        \"Destinations\": { \"$(node_ip "$n"):6868\": { \"Address\": \"http://$(node_ip "$n"):6868\" } }
      }"
  fi
  cat > "$WORK/$n/gw.json.tmp" <<JSON
{
  "Gateway": {
    "Listen": [ "http://*:80" ],
    "Admin": { "Listen": "http://127.0.0.1:9145" },
    "StateDirectory": "$WORK/$n/state",
    "Control": { "Socket": "$WORK/$n/control.sock" },
    "AccessLog": { "Format": "off" },
    "Log": { "Format": "text", "Level": "Information" }
  },
  "ReverseProxy": {
    "Routes": {
      "act2": { "ClusterId": "act2", "Match": { "Path": "/{**catch-all}" }, "Metadata": { "ProxySetHeader.Host": "\$host:\$server_port" } }$extra_route
    },
    "Clusters": {
      "act2": {
        "Metadata": { "Balance": "round_robin", "Check": "interval=1000 rise=2 fall=2 timeout=1000 type=http",
                      "CheckHttpSend": "GET / HTTP/1.0\\\\r\\\\n\\\\r\\\\n", "ConnectTimeout": "$(( 1 + gen % 2 ))s", "NextUpstream": "error timeout" },
        "Destinations": {
          "10.96.0.1:6868": { "Address": "http://10.96.0.1:6868", "Metadata": { "MaxFails": "1", "FailTimeout": "10s" } },
          "10.96.0.2:6868": { "Address": "http://10.96.0.2:6868", "Metadata": { "MaxFails": "1", "FailTimeout": "10s" } },
          "10.96.0.2:6869": { "Address": "http://10.96.0.2:6869", "Metadata": { "MaxFails": "1", "FailTimeout": "10s" } }
        }
      }$extra_cluster
    }
  },
  "ConfigSync": {
    "Enabled": true,
    "Listen": "https://$(node_ip "$n"):4507",
    "StateDirectory": "$WORK/$n/sync",
    "Roots": [ "$WORK/srv/salt" ],
    "Peers": [ { "Url": "https://$(node_ip "$o"):4507", "Fingerprint": "$(cat "$WORK/$o/fp")" } ]
  },
  "Vrrp": {
    "Instances": {
      "VI_1": {
        "Interface": "v$n", "VirtualRouterId": 52, "Priority": $(prio "$n"), "Version": 3, "AdvertIntervalSeconds": $advert,
        "VirtualAddresses": [ "$VIP/24" ],
        "Track": [ { "Condition": "listener", "Weight": 0 }, { "Condition": "upstream:act2", "Weight": -100 } ]
      }
    }
  }
}
JSON
  mv "$WORK/$n/gw.json.tmp" "$WORK/$n/gw.json"   # atomic: the watcher never sees half a file
}

start_gateway() { # node: own mount namespace where $WORK/<node>/srv is bind-mounted on $WORK/srv (same root path)
  local n=$1
  ip netns exec "$P$n" sh -c 'mount --bind "$1" "$2" && exec "$3" run --config "$4"' _ \
    "$WORK/$n/srv" "$WORK/srv" "$GW" "$WORK/$n/gw.json" >> "$WORK/$n/gw.log" 2>&1 &
  PID[gw-$n]=$!
  disown $!
}

has_vip() { ip -n "$P$1" -4 -o addr show dev "v$1" 2>/dev/null | grep -q " $VIP/"; }
vip_alone() { has_vip "$1" && ! has_vip "$(other "$1")"; }
wait_for() { # seconds command...
  local until=$(( $(date +%s) + $1 )); shift
  until "$@"; do [ "$(date +%s)" -ge "$until" ] && return 1; sleep 0.1; done
}
ready() { ip netns exec "$P$1" curl -sf -m 1 http://127.0.0.1:9145/readyz >/dev/null; }

write_act2 b 6869; start_act2 b 6869
for n in a b; do
  write_act2 "$n" 6868; start_act2 "$n" 6868
  write_gateway_conf "$n" 0
done
log "soak: $minutes min; work dir $WORK; gateway $built; load $(cut -d' ' -f1-3 /proc/loadavg)"
start_gateway a
wait_for 60 vip_alone a || { log "a never took the VIP; log: $(tail -n 5 "$WORK/a/gw.log")"; keep=1; exit 1; }
start_gateway b
wait_for 60 ready b || { log "b never became ready; log: $(tail -n 5 "$WORK/b/gw.log")"; keep=1; exit 1; }
wait_for 10 vip_alone a || { log "a lost the VIP when b started"; keep=1; exit 1; }
for _ in $(seq 1 100); do
  [[ $(ip netns exec "${P}c" curl -s -m 1 "http://$VIP/" 2>/dev/null) == "act2 on "* ]] && break
  sleep 0.1
done
event start

end=$(( $(date +%s) + minutes * 60 ))
running() { (( $(date +%s) < end )); }
nap() { # seconds: sleep, but not past the end
  local s=$(( end - $(date +%s) )); (( s > $1 )) && s=$1
  (( s > 0 )) && sleep "$s"; return 0
}

# ---------------------------------------------------------------------------------------------- load
cat > "$WORK/pace.lua" <<LUA
function delay() return $delay_ms end
LUA
load_loop() {
  local t0 left
  while running; do
    left=$(( end - $(date +%s) )); (( left > 10 )) && left=10
    (( left > 0 )) || break
    t0=$(date +%s.%N)
    ip netns exec "${P}c" wrk -t1 -c"$conns" -d"${left}s" --timeout 2s -s "$WORK/pace.lua" "http://$VIP/" > "$WORK/wrk.out" 2>&1 || true
    awk -v t0="$t0" -v t1="$(date +%s.%N)" '
      / requests in / { req = $1 }
      /Non-2xx/ { non2xx = $NF }
      /Socket errors:/ { gsub(",", ""); conn = $4; rd = $6; wr = $8; to = $10 }
      END { printf "%s,%s,%d,%d,%d,%d,%d,%d\n", t0, t1, req, non2xx, conn, rd, wr, to }' "$WORK/wrk.out" >> "$WORK/wrk.csv"
  done
}

# ---------------------------------------------------------------------------------------------- reloads
reload_loop() {
  local gen=0
  while running; do
    nap "$reload_every"
    running || break
    gen=$((gen + 1))
    for n in a b; do write_gateway_conf "$n" "$gen"; done
    event reload "$gen"
  done
}

# ---------------------------------------------------------------------------------------------- flapping
flap_loop() {
  while running; do
    nap $(( flap_min + RANDOM % (flap_max - flap_min + 1) ))
    running || break
    if [[ -n ${PID[act2-b-6869]:-} ]]; then
      kill "${PID[act2-b-6869]}" 2>/dev/null || true
      PID[act2-b-6869]= ; event flap down
    else
      start_act2 b 6869
      event flap up
    fi
  done
}

# ---------------------------------------------------------------------------------------------- sync churn
churn_loop() { # node: create / modify / delete small files in its own directory of the synced root
  local n=$1 d=$WORK/$1/srv/salt/churn/$1 i f op
  local -a files
  while running; do
    mapfile -t files < <(cd "$d" && ls)
    op=$(( RANDOM % 3 ))
    if (( ${#files[@]} < 20 )) || { (( op == 0 )) && (( ${#files[@]} < 200 )); }; then
      i=$RANDOM
      printf 'churn_%s_%s:\n  test.nop:\n    - stamp: %s\n' "$n" "$i" "$(date +%s%N)" > "$d/f$i.sls"
    elif (( op == 1 )); then
      f=${files[RANDOM % ${#files[@]}]}
      printf '    - edit: %s\n' "$(date +%s%N)" >> "$d/$f"
    else
      f=${files[RANDOM % ${#files[@]}]}
      rm -f "$d/$f"
    fi
    sleep 0.$(( 2 + RANDOM % 6 ))
  done
}

# ---------------------------------------------------------------------------------------------- failovers
maint() { # node on|off
  ip netns exec "$P$1" "$GW" maintenance "$2" --config "$WORK/$1/gw.json" >> "$WORK/maintenance.out" 2>&1 \
    || log "maintenance $2 on $1 failed: $(tail -n 1 "$WORK/maintenance.out")"
}
failover_loop() {
  local k=0
  while running; do
    nap "$failover_every"
    (( end - $(date +%s) >= 60 )) || break   # a failover (link down: up to 70 s) ends before the soak does
    case $(( k % 3 )) in
      0) event failover maintenance-on-a; maint a on
         wait_for 30 vip_alone b && event vip b || event vip-timeout b ;;
      1) event failover maintenance-off-a; maint a off
         wait_for 30 vip_alone a && event vip a || event vip-timeout a ;;
      2) event failover link-down-a; ip -n "${P}a" link set va down
         wait_for 30 has_vip b && event vip b || event vip-timeout b
         sleep 10
         event failover link-up-a; ip -n "${P}a" link set va up
         wait_for 30 vip_alone a && event vip a || event vip-timeout a ;;
    esac
    k=$((k + 1))
  done
}

# ---------------------------------------------------------------------------------------------- sampling
metric() { # file name [label-text] -> sum of the samples of that metric (whose labels contain label-text)
  awk -v name="$2" -v label="${3:-}" '
    /^#/ { next }
    { key = $1; base = key; sub(/\{.*/, "", base) }
    base == name && index(key, label) { s += $NF; found = 1 }
    END { if (found) printf "%.0f", s }' "$1"
}
echo "time,node,pid,alive,rss_kb,fds,threads,cpu_s,gc_heap_bytes,gc_total_memory_bytes,timers,generation,reload_failures,vrrp_state,vrrp_to_master" > "$WORK/samples.csv"
hz=$(getconf CLK_TCK)
sample_once() {
  local n p t alive rss fds thr cpu m
  t=$(date +%s)
  for n in a b; do
    p=${PID[gw-$n]} alive=0 rss= fds= thr= cpu=
    if [[ -e /proc/$p ]] && ! awk '{ exit ($3 == "Z" ? 0 : 1) }' "/proc/$p/stat" 2>/dev/null; then
      alive=1
      rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$p/status")
      thr=$(awk '$1 == "Threads:" { print $2 }' "/proc/$p/status")
      fds=$(find "/proc/$p/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
      cpu=$(awk -v hz="$hz" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$p/stat")
    fi
    m=$WORK/metrics.$n
    ip netns exec "$P$n" curl -s -m 3 http://127.0.0.1:9145/metrics > "$m" 2>/dev/null || : > "$m"
    echo "$t,$n,$p,$alive,$rss,$fds,$thr,$cpu,$(metric "$m" system_runtime_dotnet_gc_last_collection_heap_size),$(metric "$m" dotnet_total_memory_bytes),$(metric "$m" system_runtime_dotnet_timer_count),$(metric "$m" saltha_config_generation),$(metric "$m" saltha_config_reload_total 'result="failure"'),$(metric "$m" saltha_vrrp_state),$(metric "$m" saltha_vrrp_transitions_total 'state="master"')" >> "$WORK/samples.csv"
  done
}

# Live heap: dotnet-gcdump induces a full collection and counts what survives. Taken at the start and end of the
# baseline window, every window length after, and at the end (30 min: minutes 2, 7, 12, 17, 22, 27 and 30).
gcdump_one() { # k: one dump per node -> gcdump.csv (time,node,live_bytes)
  local n f live
  for n in a b; do
    f=$WORK/gcdump/$n-$1.gcdump
    if timeout 120 "$GCDUMP" collect -p "${PID[gw-$n]}" -o "$f" > "$f.out" 2>&1 && [[ -s $f ]]; then
      live=$(timeout 120 "$GCDUMP" report "$f" 2>/dev/null | awk '/GC Heap bytes/ { gsub(",", "", $1); print $1; exit }')
      [[ -z $live ]] || echo "$(date +%s),$n,$live" >> "$WORK/gcdump.csv"
      rm -f "$f"
    else
      log "dotnet-gcdump on $n failed: $(tail -n 1 "$f.out")"
    fi
  done
}
gcdump_loop() {
  local run_s=$((minutes * 60)) start=$(date +%s) warm win at k=0
  warm=$(( run_s / 10 < 120 ? run_s / 10 : 120 )) win=$(( run_s / 5 < 300 ? run_s / 5 : 300 ))
  mkdir -p "$WORK/gcdump"
  for (( at = warm; at < run_s - win / 3; at += win )); do
    nap $(( start + at - $(date +%s) ))
    running || return 0
    gcdump_one $((k++))
  done
}
if [[ -n $GCDUMP ]]; then echo "time,node,live_bytes" > "$WORK/gcdump.csv"; gcdump_loop & bg+=($!); fi

load_loop & bg+=($!)
reload_loop & bg+=($!)
flap_loop & bg+=($!)
churn_loop a & bg+=($!)
churn_loop b & bg+=($!)
failover_loop & bg+=($!)

next=$(date +%s)
while running; do
  sample_once
  if tail -n 2 "$WORK/samples.csv" | cut -d, -f4 | grep -qx 0; then
    log "a gateway process died; stopping"; event died; break
  fi
  next=$((next + sample))
  s=$(( next - $(date +%s) )); (( s > 0 )) && sleep "$s"
done
sample_once
event end
for p in "${bg[@]}"; do wait "$p" 2>/dev/null || true; done
bg=()
[[ -z $GCDUMP ]] || gcdump_one end

# sync must converge once the churn stops: both trees identical within 60 s
tree() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
converged=no
for _ in $(seq 1 120); do
  if [[ "$(tree "$WORK/a/srv/salt")" == "$(tree "$WORK/b/srv/salt")" ]]; then converged=yes; break; fi
  sleep 0.5
done
event converged "$converged"
files_a=$(find "$WORK/a/srv/salt" -type f | wc -l)

echo
echo "# soak $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown); $minutes min; gateway $built"
echo "# loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg); sync trees identical after the churn stopped: $converged ($files_a files)"
python3 "$HERE/summarize.py" --samples "$WORK/samples.csv" --wrk "$WORK/wrk.csv" --events "$WORK/events.log" \
  --minutes "$minutes" --reload-every "$reload_every" --converged "$converged" ${GCDUMP:+--gcdump "$WORK/gcdump.csv"} \
  || { rc=$?; keep=1; exit $rc; }
exit 0
}
