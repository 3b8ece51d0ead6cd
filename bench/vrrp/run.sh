#!/usr/bin/env bash
# VRRP failover benchmark: the gateway's VRRP node against keepalived 2.2.7, same namespaces, same settings.
# Scenarios (ROUNDS each, medians reported):
#   v2-kill      VRRPv2, 1 s adverts, master dies (link down + SIGKILL)
#   v3-kill      VRRPv3, 100 ms adverts, master dies
#   v3-graceful  VRRPv3, 100 ms adverts, master stopped with SIGTERM (priority-0 handover)
# Measured: time until the VIP answers an observer's ping from the new master, (1) from the event and (2) from
# the old master's last advert as the observer saw it (RFC failover time; removes the random phase of a kill
# within the advert interval). The two nodes use different default TTLs so a reply's TTL tells who answered.
# Needs root, iproute2, iputils-ping, keepalived; builds tests/SaltHaGateway.Vrrp.Tests (VrrpNode) if needed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-5}
SCENARIOS=${SCENARIOS:-"v2-kill v3-kill v3-graceful"}
IMPLS=${IMPLS:-"keepalived gateway"}
P=shgvb$$
VIP=10.99.0.100
WORK=$(mktemp -d /tmp/shgv-bench-XXXX)
NODE_DLL=tests/SaltHaGateway.Vrrp.Tests/VrrpNode/bin/Release/net10.0/VrrpNode.dll
[ -f "$NODE_DLL" ] || dotnet build tests/SaltHaGateway.Vrrp.Tests -c Release >/dev/null

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for n in a b c h; do ip netns del $P$n 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT

setup_lab() {
  for n in a b c h; do ip netns del $P$n 2>/dev/null || true; ip netns add $P$n; ip -n $P$n link set lo up; done
  ip -n ${P}h link add br0 type bridge; ip -n ${P}h link set br0 up
  local i=1
  for n in a b c; do
    ip -n $P$n link add v$n type veth peer name h$n netns ${P}h
    ip -n ${P}h link set h$n master br0; ip -n ${P}h link set h$n up
    ip -n $P$n addr add 10.99.0.$i/24 dev v$n; ip -n $P$n link set v$n up
    i=$((i+1))
  done
  ip netns exec ${P}a sysctl -q -w net.ipv4.ip_default_ttl=64
  ip netns exec ${P}b sysctl -q -w net.ipv4.ip_default_ttl=65
}

gateway_conf() { # node version interval priority
  local peer=$([ "$1" = a ] && echo b || echo a)
  cat > "$WORK/gw-$1.json" <<JSON
{"Vrrp":{"Instances":{"VI_1":{"Interface":"v$1","VirtualRouterId":51,"Priority":$4,"Version":$2,
 "AdvertIntervalSeconds":$3,"VirtualAddresses":["$VIP/32"],
 $( [ "$2" = 2 ] && echo '"Authentication":{"Type":"PASS","Password":"secret12"},' )
 "Garp":{"MasterRepeat":5,"MasterDelaySeconds":5}}}}}
JSON
}

keepalived_conf() { # node version interval priority
  cat > "$WORK/ka-$1.conf" <<CONF
global_defs {
  vrrp_version $2
}
vrrp_instance VI_1 {
  state BACKUP
  interface v$1
  virtual_router_id 51
  priority $4
  advert_int $3
$( [ "$2" = 2 ] && printf '  authentication {\n    auth_type PASS\n    auth_pass secret12\n  }\n' )
  virtual_ipaddress {
    $VIP/32
  }
}
CONF
  chmod 644 "$WORK/ka-$1.conf"
}

start_node() { # impl node
  if [ "$1" = gateway ]; then
    ip netns exec $P$2 dotnet "$NODE_DLL" "$WORK/gw-$2.json" > "$WORK/log-$2" 2>&1 &
  else
    rm -f "$WORK/ka-$2.pid" "$WORK/kav-$2.pid"
    ip netns exec $P$2 keepalived -n -l -D -P -f "$WORK/ka-$2.conf" -p "$WORK/ka-$2.pid" -r "$WORK/kav-$2.pid" > "$WORK/log-$2" 2>&1 &
  fi
  pids+=($!)
  echo $!
}

has_vip() { ip -n $P$1 -4 -o addr show dev v$1 | grep -q " $VIP/"; }

wait_for() { # seconds command...
  local until=$(( $(date +%s) + $1 )); shift
  while ! "$@"; do [ "$(date +%s)" -ge "$until" ] && return 1; sleep 0.05; done
}

one_round() { # impl version interval event -> prints milliseconds
  local impl=$1 version=$2 interval=$3 event=$4
  setup_lab
  for n in a b; do
    local prio=$([ $n = a ] && echo 200 || echo 150)
    if [ "$impl" = gateway ]; then gateway_conf $n "$version" "$interval" $prio; else keepalived_conf $n "$version" "$interval" $prio; fi
  done
  local pa; pa=$(start_node "$impl" a)
  wait_for 20 has_vip a || { echo "a never became master" >&2; return 1; }
  local pb; pb=$(start_node "$impl" b)
  sleep 2   # b settles as backup, a's GARP bursts are over for the short interval
  wait_for 20 bash -c "ip netns exec ${P}c ping -c1 -W1 $VIP | grep -q ttl=64" || { echo "VIP not answering from a" >&2; return 1; }
  ip netns exec ${P}c ping -D -n -i 0.002 -W 1 $VIP > "$WORK/ping" 2>&1 &
  local ping=$!
  # The observer also timestamps every advert it sees, to measure from the dead master's last advert.
  ip netns exec ${P}c tcpdump -tt -n -l -e -i vc '(ip proto 112 and src 10.99.0.1) or arp' > "$WORK/adverts" 2>/dev/null &
  local dump=$!
  sleep 1.5   # at least one advert interval, so the observer has seen a last advert before the event
  local t0; t0=$(date +%s.%N)
  if [ "$event" = kill ]; then
    ip -n ${P}a link set va down
    kill -9 "$pa"
  else
    kill -TERM "$pa"
  fi
  wait_for 20 has_vip b || true
  sleep 0.5
  kill "$ping" "$dump" 2>/dev/null || true; wait "$ping" "$dump" 2>/dev/null || true
  [ -z "${KEEP:-}" ] || { mkdir -p "$WORK/round-$impl-$event-$$-$RANDOM"; cp "$WORK"/log-* "$WORK/ping" "$WORK/adverts" "$_"/ 2>/dev/null || true; }
  kill -TERM "$pb" 2>/dev/null || true; kill -9 "$pa" 2>/dev/null || true; sleep 0.3; kill -9 "$pb" 2>/dev/null || true
  local t1; t1=$(awk -v t0="$t0" '/ttl=65/ { gsub(/[\[\]]/, "", $1); if ($1 + 0 > t0 + 0) { print $1; exit } }' "$WORK/ping")
  [ -n "$t1" ] || return 1
  # last advert from a before the event (graceful: the priority-0 advert itself)
  local last; last=$(awk -v t0="$t0" -v t1="$t1" '/VRRP/ && $1 + 0 < t1 + 0 { l = $1 } END { print l }' "$WORK/adverts")
  [ -n "$last" ] || last=$t0
  awk -v t0="$t0" -v t1="$t1" -v l="$last" 'BEGIN { printf "%.0f %.0f\n", (t1 - t0) * 1000, (t1 - l) * 1000 }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) { print "n/a" } else if (NR % 2) { print a[(NR + 1) / 2] } else { print int((a[NR / 2] + a[NR / 2 + 1]) / 2) } }'; }

printf '%-12s %-11s %12s %14s %7s   %s\n' scenario impl event_ms last_advert_ms rounds "samples (event/last advert)"
for scenario in "v2-kill 2 1 kill" "v3-kill 3 0.1 kill" "v3-graceful 3 0.1 term"; do
  set -- $scenario
  case " $SCENARIOS " in *" $1 "*) ;; *) continue ;; esac
  declare -A ev=() la=() all=()
  for _ in $(seq "$ROUNDS"); do
    for impl in $IMPLS; do   # interleaved, so load drift hits both alike
      if r=$(one_round "$impl" "$2" "$3" "$4"); then
        set -- $scenario
        ev[$impl]+="${r% *} "; la[$impl]+="${r#* } "; all[$impl]+="${r/ //} "
      fi
    done
  done
  for impl in $IMPLS; do
    n=$(wc -w <<<"${ev[$impl]:-}")
    printf '%-12s %-11s %12s %14s %7s   %s\n' "$1" "$impl" "$(tr ' ' '\n' <<<"${ev[$impl]:-}" | grep . | median)" \
      "$(tr ' ' '\n' <<<"${la[$impl]:-}" | grep . | median)" "$n" "${all[$impl]:-}"
  done
  unset ev la all
done
