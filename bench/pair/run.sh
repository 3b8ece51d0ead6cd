#!/usr/bin/env bash
# HA-pair benchmark, as a client sees it through the VIP: the seed stack (nginx + keepalived) and the gateway
# (salt-ha-gateway: proxy + health checks + config sync + VRRP), same namespaces, same client, same events.
#
# Topology (built per run, deleted afterwards; nothing on the host's interfaces):
#   namespace h: bridge br0 with ports ha, hb, hc
#   a 10.97.0.1/24 (va), b 10.97.0.2/24 (vb), client c 10.97.0.3/24 (vc); VIP 10.97.0.100/24, VRID 51, VRRPv3,
#   100 ms adverts, priorities a 150 / b 100, preempt. act2 stand-in (nginx, `return 200 "act2 on X"`) on
#   0.0.0.0:6868 on a and b; each node's proxy on :80 balances round robin over both act2s.
# Client (client.py, in c): 40 GET/s on fresh connections, 1 s timeout each, open loop.
# Events (the event fires ~2 s after the client started; see README.md for the windows):
#   baseline     nothing happens (5 s window): the stack's own longest gap, to read the others against
#   act2-dies    kill -9 the act2 stand-in on a (the VIP holder)
#   crash        kill -9 a's proxy + VRRP processes (act2 on a stays up)
#   preempt      chained after crash in the same run: 5 s after the crash a's stack is started again
#   sigterm      planned stop of a: gateway SIGTERM; seed keepalived SIGTERM + `nginx -s quit` at once
#   maintenance  gateway only: `salt-ha-gateway maintenance on`, then `off` (n/a if the verb is missing)
#   partition    gateway only: a and b isolated from each other (both still reach c) for PARTITION_S, edits on both
#                sides, heal; also measures heal -> one VIP holder, heal -> identical trees, edits kept
# Env: RUNS (3), EVENTS, STACKS ("seed gateway"), KEEP=1 (keep $WORK: logs, client logs, client pcaps),
#      PARTITION_S (3: how long the partition lasts), GATEWAY_BIN (the directory of the gateway build to run:
#      default the framework-dependent build in src/SaltHaGateway/bin/Release/net10.0; artifacts/aot for the
#      published NativeAOT artifact, what a master runs).
# Needs root, iproute2 (ip, bridge), nginx, keepalived, python3, curl; tcpdump with KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BENCH=$ROOT/bench/pair
RUNS=${RUNS:-3}
EVENTS=${EVENTS:-"act2-dies crash preempt sigterm maintenance partition"}
STACKS=${STACKS:-"seed gateway"}
KEEP=${KEEP:-}
PARTITION_S=${PARTITION_S:-3}   # how long the partition lasts
P=shgp$$
VIP=10.97.0.100
WORK=$(mktemp -d /tmp/shgp-XXXXXX)
RESULTS=$WORK/results.tsv
: > "$RESULTS"
declare -A PID=()

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now() { date +%s.%N; }

kill_netns_procs() { # kill -9 every process inside our namespaces (only what this script started)
  local n pids
  for n in c a b h; do
    pids=$(ip netns pids "$P$n" 2>/dev/null || true)
    [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
  done
}

teardown_lab() {
  kill_netns_procs
  wait 2>/dev/null || true
  for n in a b c h; do ip netns del "$P$n" 2>/dev/null || true; done
  PID=()
}

cleanup() {
  trap - EXIT INT TERM
  teardown_lab
  if [ -n "$KEEP" ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

has() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; }

# ---------------------------------------------------------------------------------------------- gateway binary
GW=
GW_EXTRA=0
GW_MAINT=0
if has "$STACKS" gateway; then
  src=${GATEWAY_BIN:-$ROOT/src/SaltHaGateway/bin/Release/net10.0}
  if [ ! -x "$src/salt-ha-gateway" ]; then
    [ -z "${GATEWAY_BIN:-}" ] || { echo "run.sh: GATEWAY_BIN=$GATEWAY_BIN has no salt-ha-gateway" >&2; exit 2; }
    dotnet build src/SaltHaGateway -c Release -v q -nologo >/dev/null
  fi
  # a private copy: src/ may be rebuilt while the benchmark runs
  cp -a "$src" "$WORK/gw-bin"
  GW=$WORK/gw-bin/salt-ha-gateway
  # The binary's own version names the commit it was built from (a GATEWAY_BIN artifact may be older than HEAD).
  log "gateway: $src/salt-ha-gateway $("$GW" --version 2>/dev/null | head -n1), built $(date -r "$src/salt-ha-gateway" '+%F %T'); repo HEAD $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes in src/')"
  help=$("$GW" --help 2>&1 || true)
  grep -qE '^\s+maintenance\b' <<<"$help" && GW_MAINT=1
  for n in a b; do
    mkdir -p "$WORK/ident/$n"
    "$GW" sync init --state-dir "$WORK/ident/$n" > "$WORK/ident/$n/out"
    tail -n1 "$WORK/ident/$n/out" > "$WORK/ident/$n/fp"
  done
fi

# the tree both nodes start with (identical, same mtimes)
mkdir -p "$WORK/template/salt/common"
printf 'base:\n  "*":\n    - common\n' > "$WORK/template/salt/top.sls"
printf 'edit_me: original\n' > "$WORK/template/salt/common/edit.sls"
for d in web db mon; do
  mkdir -p "$WORK/template/salt/$d"
  for i in $(seq 1 10); do printf '%s_%s:\n  pkg.installed:\n    - name: %s%s\n' "$d" "$i" "$d" "$i" > "$WORK/template/salt/$d/s$i.sls"; done
done

# ---------------------------------------------------------------------------------------------- topology
setup_lab() {
  local n i=1
  for n in h a b c; do ip netns del "$P$n" 2>/dev/null || true; ip netns add "$P$n"; ip -n "$P$n" link set lo up; done
  ip -n "${P}h" link add br0 type bridge
  ip -n "${P}h" link set br0 up
  for n in a b c; do
    ip -n "$P$n" link add "v$n" type veth peer name "h$n" netns "${P}h"
    ip -n "${P}h" link set "h$n" master br0
    ip -n "${P}h" link set "h$n" up
    ip -n "$P$n" addr add "10.97.0.$i/24" dev "v$n"
    ip -n "$P$n" link set "v$n" up
    i=$((i + 1))
  done
  # ARP: kernel defaults (arp_accept 0) on the nodes, written out so a host-wide override cannot leak in;
  # the client's ARP sysctls are left as a fresh namespace has them.
  for n in a b; do
    ip netns exec "$P$n" sysctl -q -w net.ipv4.conf.all.arp_accept=0 net.ipv4.conf.default.arp_accept=0 "net.ipv4.conf.v$n.arp_accept=0"
  done
}

has_vip() { ip -n "$P$1" -4 -o addr show dev "v$1" 2>/dev/null | grep -q " $VIP/"; }
vip_alone() { has_vip "$1" && ! has_vip "$2"; }

wait_for() { # seconds command... (polls every 20 ms)
  local until=$(( $(date +%s%N) + ${1%.*} * 1000000000 )); shift
  until "$@"; do [ "$(date +%s%N)" -ge "$until" ] && return 1; sleep 0.02; done
}

proc_alive() { # a child that exited stays a zombie until reaped
  [ -e "/proc/$1" ] && ! awk '{ exit ($3 == "Z" ? 0 : 1) }' "/proc/$1/stat" 2>/dev/null
}

children() { ps -o pid= --ppid "$1" 2>/dev/null | tr -s ' \n' ' ' || true; }

# ---------------------------------------------------------------------------------------------- node configs
node_ip() { [ "$1" = a ] && echo 10.97.0.1 || echo 10.97.0.2; }
other() { [ "$1" = a ] && echo b || echo a; }
prio() { [ "$1" = a ] && echo 150 || echo 100; }

write_act2() { # run node
  local d=$1/$2/act2
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
    listen 6868;
    location / { return 200 "act2 on $2\n"; }
  }
}
CONF
}

write_seed() { # run node
  local d=$1/$2/seed n=$2
  mkdir -p "$d"
  cat > "$d/nginx.conf" <<CONF
user root root;
worker_processes auto;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 1024; }
http {
  log_format bench '\$msec \$remote_addr:\$remote_port "\$request" \$status \$request_time up=\$upstream_addr st=\$upstream_status ct=\$upstream_connect_time rt=\$upstream_response_time';
  access_log $d/access.log bench;
  client_body_temp_path $d/tmp-body; proxy_temp_path $d/tmp-proxy; fastcgi_temp_path $d/tmp-fastcgi;
  uwsgi_temp_path $d/tmp-uwsgi; scgi_temp_path $d/tmp-scgi;
  # No active checks in stock nginx (nginx_upstream_check_module is a third-party patch): passive only.
  upstream act2 {
    server 10.97.0.1:6868 max_fails=1 fail_timeout=10s;
    server 10.97.0.2:6868 max_fails=1 fail_timeout=10s;
  }
  server {
    listen 80;
    location / {
      proxy_pass http://act2;
      proxy_set_header Host \$host:\$server_port;
      proxy_connect_timeout 1s;
      proxy_next_upstream error timeout;
    }
  }
}
CONF
  # The operator's usual "is nginx running" check. `pidof nginx` would also see the other node's nginx here
  # (all namespaces share one PID namespace), so the check reads this node's pid file instead.
  printf '#!/bin/sh\nkill -0 "$(cat %s/nginx.pid 2>/dev/null)" 2>/dev/null\n' "$d" > "$d/chk_nginx.sh"
  chmod 755 "$d/chk_nginx.sh"
  cat > "$d/keepalived.conf" <<CONF
global_defs {
  vrrp_version 3
  script_user root
}
vrrp_script chk_nginx {
  script "$d/chk_nginx.sh"
  interval 1
  fall 2
  rise 2
  weight -60
}
vrrp_instance VI_1 {
  state BACKUP
  interface v$n
  virtual_router_id 51
  priority $(prio "$n")
  advert_int 0.1
  virtual_ipaddress {
    $VIP/24 dev v$n
  }
  track_script {
    chk_nginx
  }
}
CONF
  chmod 644 "$d/keepalived.conf"
}

write_gateway_conf() { # file run node extra(0|1)
  local f=$1 run=$2 n=$3 extra=$4 o; o=$(other "$n")
  local fp; fp=$(cat "$WORK/ident/$o/fp" 2>/dev/null || printf '%064d' 0)
  local more=
  [ "$extra" = 1 ] && more=", \"StateDirectory\": \"$run/$n/state\", \"Control\": { \"Socket\": \"$run/$n/control.sock\" }"
  cat > "$f" <<JSON
{
  "Gateway": {
    "Listen": [ "http://*:80" ],
    "Admin": { "Listen": "http://127.0.0.1:9145" },
    "AccessLog": { "Format": "json", "Path": "$run/$n/gw-access.log" },
    "Log": { "Format": "text", "Level": "Information" }$more
  },
  "ReverseProxy": {
    "Routes": {
      "act2": { "ClusterId": "act2", "Match": { "Path": "/{**catch-all}" }, "Metadata": { "ProxySetHeader.Host": "\$host:\$server_port" } }
    },
    "Clusters": {
      "act2": {
        "Metadata": { "Balance": "round_robin", "Check": "interval=3000 rise=2 fall=5 timeout=1000 type=tcp",
                      "ConnectTimeout": "1s", "NextUpstream": "error timeout" },
        "Destinations": {
          "10.97.0.1:6868": { "Address": "http://10.97.0.1:6868", "Metadata": { "MaxFails": "1", "FailTimeout": "10s" } },
          "10.97.0.2:6868": { "Address": "http://10.97.0.2:6868", "Metadata": { "MaxFails": "1", "FailTimeout": "10s" } }
        }
      }
    }
  },
  "ConfigSync": {
    "Enabled": true,
    "Listen": "https://$(node_ip "$n"):4507",
    "StateDirectory": "$run/$n/sync",
    "Roots": [ "$run/srv/salt" ],
    "Peers": [ { "Url": "https://$(node_ip "$o"):4507", "Fingerprint": "$fp" } ]
  },
  "Vrrp": {
    "Instances": {
      "VI_1": {
        "Interface": "v$n", "VirtualRouterId": 51, "Priority": $(prio "$n"), "Version": 3, "AdvertIntervalSeconds": 0.1,
        "VirtualAddresses": [ "$VIP/24" ],
        "Track": [ { "Condition": "listener", "Weight": 0 }, { "Condition": "upstream:act2", "Weight": -100 } ]
      }
    }
  }
}
JSON
}

if [ -n "$GW" ]; then
  # Gateway:StateDirectory and Gateway:Control:Socket are new keys; use them only if this build knows them.
  mkdir -p "$WORK/probe/a/sync" "$WORK/probe/srv/salt"
  cp "$WORK/ident/a/node.pfx" "$WORK/probe/a/sync/"
  write_gateway_conf "$WORK/probe/gw.json" "$WORK/probe" a 1
  if "$GW" check-config --config "$WORK/probe/gw.json" > "$WORK/probe/out" 2>&1 \
     || ! grep -qiE 'Gateway:(StateDirectory|Control).*unknown|unknown key' "$WORK/probe/out"; then
    GW_EXTRA=1
  fi
  log "gateway: Gateway:StateDirectory/Control keys $([ $GW_EXTRA = 1 ] && echo accepted, set || echo 'rejected by this build (unknown key), left out'); maintenance verb $([ $GW_MAINT = 1 ] && echo present || echo missing)"
fi

prepare_node() { # stack run node
  local stack=$1 run=$2 n=$3
  write_act2 "$run" "$n"
  if [ "$stack" = seed ]; then
    write_seed "$run" "$n"
  else
    mkdir -p "$run/$n/sync" "$run/$n/state" "$run/$n/srv" "$run/srv"
    cp "$WORK/ident/$n/node.pfx" "$run/$n/sync/"
    cp -a "$WORK/template/salt" "$run/$n/srv/salt"
    write_gateway_conf "$run/$n/gw.json" "$run" "$n" "$GW_EXTRA"
  fi
}

start_act2() { # run node
  local d=$1/$2/act2
  ip netns exec "$P$2" nginx -p "$d/" -c "$d/nginx.conf" -e "$d/error.log" > "$d/out" 2>&1 &
  PID[act2-$2]=$!
  disown $!   # killed with -9 later; no "Killed" job notices
}

start_stack() { # stack run node
  local stack=$1 run=$2 n=$3
  if [ "$stack" = seed ]; then
    local d=$run/$n/seed
    rm -f "$d/ka.pid" "$d/kav.pid"
    ip netns exec "$P$n" nginx -p "$d/" -c "$d/nginx.conf" -e "$d/error.log" -g 'daemon off;' >> "$d/nginx.out" 2>&1 &
    PID[nginx-$n]=$!
    disown $!
    ip netns exec "$P$n" keepalived -n -l -D -P -f "$d/keepalived.conf" -p "$d/ka.pid" -r "$d/kav.pid" >> "$d/keepalived.log" 2>&1 &
    PID[ka-$n]=$!
    disown $!
  else
    # Sync roots must have the same path on every node: each gateway gets its own mount namespace (ip netns exec
    # makes one) in which $run/$n/srv is bind-mounted on $run/srv; the script edits $run/$n/srv/salt directly.
    ip netns exec "$P$n" sh -c 'mount --bind "$1" "$2" && exec "$3" run --config "$4"' _ \
      "$run/$n/srv" "$run/srv" "$GW" "$run/$n/gw.json" >> "$run/$n/gw.log" 2>&1 &
    PID[gw-$n]=$!
    disown $!
  fi
  echo "start-$n $(now)" >> "$run/events"
}

node_ready() { # stack run node: listening on :80 and VRRP backup (or master)
  local stack=$1 run=$2 n=$3
  ip netns exec "$P$n" ss -Hltn 'sport = :80' | grep -q . || return 1
  if [ "$stack" = seed ]; then
    grep -qE 'Entering (BACKUP|MASTER) STATE' "$run/$n/seed/keepalived.log"
  else
    ip netns exec "$P$n" curl -sf -m 1 http://127.0.0.1:9145/readyz > /dev/null &&
      ip netns exec "$P$n" curl -sf -m 1 http://127.0.0.1:9145/vrrp/status | grep -qiE '"state":"(backup|master)"'
  fi
}

crash_stack() { # stack run node: kill -9 proxy + VRRP, all processes at the same instant
  local stack=$1 n=$3 victims
  if [ "$stack" = seed ]; then
    victims="${PID[ka-$n]} $(children "${PID[ka-$n]}") ${PID[nginx-$n]} $(children "${PID[nginx-$n]}")"
  else
    victims=${PID[gw-$n]}
  fi
  # SIGSTOP first, so no survivor reacts to another's death before its own SIGKILL: keepalived's parent respawns a
  # dead VRRP child and the child resigns (priority 0, VIP removed) on its parent's death (PR_SET_PDEATHSIG);
  # nginx's master respawns dead workers.
  kill -STOP $victims 2>/dev/null || true
  kill -9 $victims 2>/dev/null || true
}

wait_gone() { # seconds pid... -> 0 once none of them is alive
  local until=$(( $(date +%s%N) + $1 * 1000000000 )) p alive; shift
  while :; do
    alive=
    for p in "$@"; do proc_alive "$p" && alive=1; done
    [ -z "$alive" ] && return 0
    [ "$(date +%s%N)" -ge "$until" ] && return 1
    sleep 0.02
  done
}

term_stack() { # stack run node: planned stop, returns once the processes have exited
  local stack=$1 run=$2 n=$3
  if [ "$stack" = seed ]; then
    local d=$run/$n/seed
    kill -TERM "${PID[ka-$n]}" 2>/dev/null &
    ip netns exec "$P$n" nginx -p "$d/" -c "$d/nginx.conf" -s quit 2>>"$d/error.log" &
    wait_gone 30 "${PID[ka-$n]}" "${PID[nginx-$n]}" || log "seed on $n still running 30 s after SIGTERM/quit"
  else
    kill -TERM "${PID[gw-$n]}" 2>/dev/null || true
    wait_gone 30 "${PID[gw-$n]}" || log "gateway on $n still running 30 s after SIGTERM"
  fi
  return 0
}

# ---------------------------------------------------------------------------------------------- one run
record() { # event stack run status [fields...]
  local IFS=$'\t'
  echo "$*" >> "$RESULTS"
}

window() { # run start end -> "failed gap total reasons"
  python3 "$BENCH/measure.py" window --log "$1/client.log" --start "$2" --end "$3"
}

ev() { echo "$1 $(now)" >> "$RUN/events"; }
evtime() { awk -v k="$1" '$1 == k { t = $2 } END { print t }' "$RUN/events"; }

one_run() { # stack kind runno -> records rows; returns 1 if the run could not be measured
  local stack=$1 kind=$2 r=$3
  RUN=$WORK/runs/$kind-$stack-$r
  mkdir -p "$RUN"
  : > "$RUN/events"
  local rows=$kind
  [ "$kind" = crash ] && rows=$(for e in crash preempt; do has "$EVENTS" $e && printf "%s " $e; done)
  fail() { log "  $kind $stack run $r: not measured: $*"; for e in $rows; do record "$e" "$stack" "$r" "fail:$*"; done; return 1; }

  setup_lab
  prepare_node "$stack" "$RUN" a
  prepare_node "$stack" "$RUN" b
  start_act2 "$RUN" a
  start_act2 "$RUN" b
  start_stack "$stack" "$RUN" a
  wait_for 60 vip_alone a b || { fail "a never took the VIP"; return 1; }
  start_stack "$stack" "$RUN" b
  wait_for 60 node_ready "$stack" "$RUN" b || { fail "b not ready"; return 1; }
  wait_for 10 vip_alone a b || { fail "a lost the VIP at b's start"; return 1; }
  ip netns exec "${P}c" python3 "$BENCH/client.py" steady --url "http://$VIP/" --seconds 3 --max-seconds 60 \
    || { fail "client never steady through the VIP"; return 1; }
  vip_alone a b || { fail "VIP not on a after the steady phase"; return 1; }

  local dump=
  if [ -n "$KEEP" ]; then
    ip netns exec "${P}c" tcpdump -i vc -s 256 -U -n -w "$RUN/client.pcap" > "$RUN/tcpdump.out" 2>&1 &
    dump=$!
    sleep 0.5
  fi
  ip netns exec "${P}c" python3 "$BENCH/client.py" run --url "http://$VIP/" --log "$RUN/client.log" --max-seconds 120 &
  local client=$!
  wait_for 10 grep -qs '^# start' "$RUN/client.log" || { fail "client did not start"; return 1; }
  sleep 2

  local t0 t1 t2 t3 extra=
  case $kind in
    baseline)
      ev event
      sleep 5; ev end ;;
    act2-dies)
      ev event; kill -9 "${PID[act2-a]}"
      sleep 5; ev end ;;
    crash)
      ev event; crash_stack "$stack" "$RUN" a
      sleep 5
      ev restart; start_stack "$stack" "$RUN" a
      if wait_for 60 vip_alone a b; then ev back; else ev back-timeout; fi
      sleep 5; ev end ;;
    sigterm)
      ev event; term_stack "$stack" "$RUN" a
      ev stopped
      t0=$(evtime event)
      sleep "$(awk -v t0="$t0" -v n="$(now)" 'BEGIN { s = t0 + 5 - n; print (s > 0 ? s : 0) }')"
      ev end ;;
    maintenance)
      ev event
      ip netns exec "${P}a" "$GW" maintenance on --config "$RUN/a/gw.json" > "$RUN/maintenance-on.out" 2>&1 \
        || log "  maintenance on: exit $? ($(tail -n1 "$RUN/maintenance-on.out"))"
      ev on-returned
      if wait_for 20 vip_alone b a; then ev moved; else ev moved-timeout; fi
      sleep 2
      ev off
      ip netns exec "${P}a" "$GW" maintenance off --config "$RUN/a/gw.json" > "$RUN/maintenance-off.out" 2>&1 \
        || log "  maintenance off: exit $? ($(tail -n1 "$RUN/maintenance-off.out"))"
      if wait_for 60 vip_alone a b; then ev back; else ev back-timeout; fi
      sleep 5; ev end ;;
    partition)
      ev event
      bridge -n "${P}h" link set dev ha isolated on
      bridge -n "${P}h" link set dev hb isolated on
      sleep 1
      printf 'new_on_a: written on a during the partition\n' > "$RUN/a/srv/salt/new-on-a.sls"
      printf 'new_on_b: written on b during the partition\n' > "$RUN/b/srv/salt/new-on-b.sls"
      printf 'edit_me: edit on a\n' > "$RUN/a/srv/salt/common/edit.sls"
      sleep 0.3
      printf 'edit_me: edit on b\n' > "$RUN/b/srv/salt/common/edit.sls"   # the newer edit: should win
      t0=$(evtime event)
      sleep "$(awk -v t0="$t0" -v n="$(now)" -v p="$PARTITION_S" 'BEGIN { s = t0 + p - n; print (s > 0 ? s : 0) }')"
      ev heal
      bridge -n "${P}h" link set dev ha isolated off
      bridge -n "${P}h" link set dev hb isolated off
      t0=$(evtime heal)
      local conv
      conv=$(python3 "$BENCH/measure.py" converge --since "$t0" --ns-a "${P}a" --ns-b "${P}b" --dev-a va --dev-b vb \
        --vip "$VIP" --tree-a "$RUN/a/srv/salt" --tree-b "$RUN/b/srv/salt" --timeout 30)
      ev converged
      # did both edits survive? new files on both nodes; the losing edit of edit.sls under a conflicts/ directory
      local kept=kept missing=
      for n in a b; do
        for f in new-on-a new-on-b; do
          grep -q "written on ${f#new-on-}" "$RUN/$n/srv/salt/$f.sls" 2>/dev/null || missing+="$f@$n,"
        done
      done
      local win_a win_b; win_a=$(sed -n 's/^edit_me: edit on //p' "$RUN/a/srv/salt/common/edit.sls")
      win_b=$(sed -n 's/^edit_me: edit on //p' "$RUN/b/srv/salt/common/edit.sls")
      local loser=a; [ "$win_a" = a ] && loser=b
      local copy= n
      wait_for 5 bash -c "grep -rlq 'edit on $loser' '$RUN/a/sync/conflicts' '$RUN/b/sync/conflicts' 2>/dev/null" || true
      for n in a b; do grep -rlq "edit on $loser" "$RUN/$n/sync/conflicts" 2>/dev/null && copy+="${copy:++}$n"; done
      [ "$win_a" = "$win_b" ] || missing+="edit.sls-differs(a:$win_a,b:$win_b),"
      [ -n "$win_a" ] || missing+="edit.sls-winner-unknown,"
      [ -n "$copy" ] || missing+="loser-copy($loser),"
      if [ -z "$missing" ]; then kept="kept(winner=$win_a,copy-on=$copy)"; else kept="LOST:${missing%,}"; fi
      extra="$conv"$'\t'"$kept"
      sleep 5; ev end ;;
  esac

  kill -TERM "$client" 2>/dev/null || true
  wait "$client" 2>/dev/null || true
  if [ -n "$dump" ]; then kill -INT "$dump" 2>/dev/null || true; wait "$dump" 2>/dev/null || true; fi

  local w
  case $kind in
    crash)
      t0=$(evtime event); t1=$(evtime restart); t2=$(evtime back); t3=$(evtime end)
      if has "$rows" crash; then w=$(window "$RUN" "$t0" "$t1"); record crash "$stack" "$r" ok $w; log "  crash $stack run $r: $w"; fi
      if has "$rows" preempt; then
        if [ -n "$t2" ]; then w=$(window "$RUN" "$t1" "$t3"); record preempt "$stack" "$r" ok $w; log "  preempt $stack run $r: $w (a back $(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", b - a }') s after restart)"
        else record preempt "$stack" "$r" "fail:a did not take the VIP back"; log "  preempt $stack run $r: a did not take the VIP back"; fi
      fi ;;
    maintenance)
      t0=$(evtime event); t3=$(evtime end)
      if [ -n "$(evtime back)" ]; then w=$(window "$RUN" "$t0" "$t3"); record "$kind" "$stack" "$r" ok $w; log "  $kind $stack run $r: $w"
      else record "$kind" "$stack" "$r" "fail:VIP did not move to b and back"; log "  $kind $stack run $r: VIP did not move to b and back"; fi ;;
    *)
      t0=$(evtime event); t3=$(evtime end)
      w=$(window "$RUN" "$t0" "$t3")
      record "$kind" "$stack" "$r" ok $w $extra
      log "  $kind $stack run $r: $w${extra:+ | vip_s sync_s edits: $extra}" ;;
  esac
  return 0
}

# ---------------------------------------------------------------------------------------------- main
log "work dir $WORK; events: $EVENTS; stacks: $STACKS; runs: $RUNS; load: $(cut -d' ' -f1-3 /proc/loadavg)"
kinds=
for e in $EVENTS; do
  case $e in
    crash|preempt) has "$kinds" crash || kinds+=" crash" ;;
    baseline|act2-dies|sigterm|maintenance|partition) kinds+=" $e" ;;
    *) echo "unknown event $e" >&2; exit 2 ;;
  esac
done
for kind in $kinds; do
  runnable=
  for stack in $STACKS; do
    why=
    case $kind/$stack in
      maintenance/seed) why="no equivalent in the seed stack" ;;
      partition/seed) why="no config sync in the seed stack" ;;
      maintenance/gateway) [ "$GW_MAINT" = 1 ] || why="verb missing" ;;
    esac
    if [ -n "$why" ]; then record "$kind" "$stack" - "na:$why"; else runnable+=" $stack"; fi
  done
  for r in $(seq "$RUNS"); do
    for stack in $runnable; do   # interleaved, so load drift hits both stacks alike
      log "$kind $stack run $r/$RUNS (load $(cut -d' ' -f1 /proc/loadavg))"
      one_run "$stack" "$kind" "$r" || true
      teardown_lab
      [ -n "$KEEP" ] || rm -rf "$RUN"
    done
  done
done

echo
echo "HA pair through the VIP: $RUNS run(s) per row, 40 GET/s, fresh connection each, 1 s timeout (medians over runs)"
python3 "$BENCH/measure.py" table --results "$RESULTS" --events "$EVENTS" --stacks "$STACKS"
