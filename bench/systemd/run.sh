#!/usr/bin/env bash
# The published gateway as a hardened systemd service, end to end, in a throwaway booted container.
#
#   bench/systemd/run.sh [--aot DIR] [--crashes N] [--keep]
#
# Defaults: --aot artifacts/aot (build it with the README's command: dotnet publish src/SaltHaGateway -c Release
# -o artifacts/aot), --crashes 5. Needs root and systemd-nspawn (Debian package systemd-container; the script
# installs it when apt-get is there).
#
# A container boots this machine's own root file system read-only under a tmpfs overlay (nothing it writes
# survives), with systemd as PID 1 and a private network (loopback only). Inside it, the README's install steps
# run as written: the artifact goes to /opt/salt-ha-gateway, config/gateway.json to /etc/salt-ha-gateway,
# check-config, docker/salt-ha-gateway.service to /etc/systemd/system, `systemctl enable --now`. Two stand-in act2
# servers listen on 127.0.0.1:6868 and 127.0.0.2:6868 (the default config's upstreams). Then:
#   - the unit is active (Type=notify: `systemctl start` returns only after READY=1), its STATUS= line, a
#     request through port 80, the live `systemd-analyze security` exposure;
#   - `systemctl reload` (RELOADING=1 / READY=1) leaves it active and serving;
#   - N times, 3 s apart: kill -9 of the main process, then the time until port 80 answers 200 again
#     (Restart=on-failure, RestartSec=100 ms by default) and NRestarts;
#   - `systemctl stop`: the time it takes and the unit's result.
# It prints one line per check and the crash-to-200 figures (median, min, max); exit status 0 when every check held.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
aot="$repo/artifacts/aot" crashes=5 keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --aot) aot="$(cd "$2" && pwd)"; shift 2 ;;
    --crashes) crashes="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $EUID -eq 0 ]] || { echo "run.sh: needs root (mounts, a container)" >&2; exit 2; }
[[ -x "$aot/salt-ha-gateway" ]] || { echo "run.sh: $aot/salt-ha-gateway missing; run: dotnet publish src/SaltHaGateway -c Release -o artifacts/aot" >&2; exit 2; }
if ! command -v systemd-nspawn >/dev/null; then
  command -v apt-get >/dev/null || { echo "run.sh: systemd-nspawn not found (package systemd-container)" >&2; exit 2; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd-container >/dev/null
fi
[[ -x /lib/systemd/systemd ]] || { echo "run.sh: /lib/systemd/systemd not found: this machine's root cannot boot systemd" >&2; exit 2; }

work="$(mktemp -d /tmp/systemd-bench.XXXXXX)"
root="$work/root" nspawn=""
cleanup() {
  if [[ -n $nspawn ]] && kill -0 "$nspawn" 2>/dev/null; then
    kill -TERM "$nspawn" 2>/dev/null || true          # nspawn asks the container's systemd to halt
    for _ in $(seq 100); do kill -0 "$nspawn" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$nspawn" 2>/dev/null || true
  fi
  umount "$root" 2>/dev/null || umount -l "$root" 2>/dev/null || true
  umount "$work/rw" 2>/dev/null || true
  [[ $keep -eq 1 ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

# The overlay's writable half lives on a tmpfs, outside the lower root.
mkdir -p "$work/rw" "$root"
mount -t tmpfs -o size=512m tmpfs "$work/rw"
mkdir -p "$work/rw/upper" "$work/rw/work"
mount -t overlay overlay -o "lowerdir=/,upperdir=$work/rw/upper,workdir=$work/rw/work" "$root"
# A container with the host's machine id would share its journal; services the host enables would start too
# (they cannot reach the host's network, but they cost time): the container boots to basic.target only.
rm -f "$root/etc/machine-id"
# A private network has no link that comes up: the unit's After=network-online.target would wait out the
# wait-online service's 2-minute timeout. A master's network does come online; here that wait is skipped.
for u in systemd-networkd-wait-online.service NetworkManager-wait-online.service; do ln -sf /dev/null "$root/etc/systemd/system/$u"; done

systemd-nspawn -q -D "$root" --boot --machine="saltha-$$" --private-network --register=no --keep-unit \
  --link-journal=no --bind-ro="$aot:/mnt/artifact" --bind-ro="$repo:/mnt/repo" -- --unit=basic.target \
  >"$work/console.log" 2>&1 &
nspawn=$!

# The container's PID 1 (systemd) is nspawn's child; commands run in all its namespaces.
init=""
for _ in $(seq 300); do
  init=$(pgrep -P "$nspawn" -x systemd || true)
  [[ -n $init ]] && break
  kill -0 "$nspawn" 2>/dev/null || { cat "$work/console.log" >&2; echo "run.sh: the container did not start" >&2; exit 1; }
  sleep 0.1
done
[[ -n $init ]] || { echo "run.sh: no systemd in the container" >&2; exit 1; }
inside() { nsenter -t "$init" -a -- "$@"; }
for _ in $(seq 300); do
  state=$(inside systemctl is-system-running 2>/dev/null || true)
  [[ $state == running || $state == degraded ]] && break
  sleep 0.2
done
echo "container: systemd $(inside systemctl --version | head -1 | cut -d' ' -f2), state ${state:-unknown}"

failures=0
check() { # check NAME COMMAND...: one line per check
  local name="$1"; shift
  if "$@"; then echo "ok    $name"; else echo "FAIL  $name"; failures=$((failures + 1)); fi
}
now_ms() { date +%s%3N; }
http_code() { inside curl -s -o /dev/null -m 1 -w '%{http_code}' http://127.0.0.1/ 2>/dev/null || true; }

# Stand-ins for act2 on both upstream addresses of the default config.
inside ip addr add 127.0.0.2/8 dev lo 2>/dev/null || true
for a in 127.0.0.1 127.0.0.2; do
  inside systemd-run -q --unit="act2-${a##*.}" --property=Type=exec python3 -m http.server 6868 --bind "$a" --directory /usr/share/doc
done

# The README's install steps, as written (with the artifact where publish put it).
inside sh -ec '
  mkdir -p /opt/salt-ha-gateway && cp -a /mnt/artifact/. /opt/salt-ha-gateway/
  mkdir -p /etc/salt-ha-gateway && cp /mnt/repo/config/gateway.json /etc/salt-ha-gateway/
  /opt/salt-ha-gateway/salt-ha-gateway check-config --config /etc/salt-ha-gateway/gateway.json >/dev/null
  cp /mnt/repo/docker/salt-ha-gateway.service /etc/systemd/system/
  systemctl daemon-reload' || { echo "run.sh: the install steps failed" >&2; exit 1; }
start=$(now_ms)
inside systemctl enable --now salt-ha-gateway 2>/dev/null || {
  echo "run.sh: systemctl enable --now failed"; inside journalctl -u salt-ha-gateway --no-pager | tail -20; exit 1; }
echo "systemctl enable --now returned after $(( $(now_ms) - start )) ms (Type=notify: once READY=1 came); load average $(cut -d' ' -f1-3 /proc/loadavg)"

prop() { inside systemctl show -P "$1" salt-ha-gateway; }
check "unit is active after enable --now" test "$(prop ActiveState)" = active
status=$(prop StatusText)
echo "      STATUS=$status"
check "STATUS= names the upstreams" grep -q "act2 2/2 up" <<<"$status"
check "port 80 proxies to act2 (200)" test "$(http_code)" = 200
exposure=$(inside systemd-analyze security salt-ha-gateway --no-pager 2>/dev/null | sed -n 's/.*Overall exposure level for salt-ha-gateway.service: \([0-9.]*\).*/\1/p')
echo "      systemd-analyze security (live): exposure ${exposure:-unknown}"
check "exposure <= 3.0" awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 3.0) }'
caps=$(inside grep CapEff "/proc/$(prop MainPID)/status" | awk '{print $2}')
check "effective capabilities are the unit's six (CapEff $caps)" test "$(inside capsh --decode="$caps" 2>/dev/null | tr ',' '\n' | grep -c cap_)" = 6

inside systemctl reload salt-ha-gateway
check "reload: still active" test "$(prop ActiveState)" = active
check "reload: still serving" test "$(http_code)" = 200

times=()
for i in $(seq "$crashes"); do
  # systemd's default start limit is 5 starts in 10 s (StartLimitBurst=, StartLimitIntervalSec=), which the unit
  # keeps: a crash loop stops there. Crashes 3 s apart stay under it.
  [[ $i -gt 1 ]] && sleep 3
  pid=$(prop MainPID)
  # One shell inside the container kills and polls, so the figure is not the cost of entering the container.
  times+=($(inside sh -c '
    t0=$(date +%s%3N); kill -9 "$1"
    while kill -0 "$1" 2>/dev/null; do sleep 0.005; done
    until [ "$(curl -s -o /dev/null -m 1 -w "%{http_code}" http://127.0.0.1/)" = 200 ]; do
      [ $(( $(date +%s%3N) - t0 )) -gt 30000 ] && break
      sleep 0.005
    done
    echo $(( $(date +%s%3N) - t0 ))' sh "$pid"))
done
echo "      kill -9 -> port 80 answers 200 again (ms): ${times[*]}"
echo "      the last one as systemd logged it:"
inside journalctl -u salt-ha-gateway -o short-precise --no-pager -n 40 | grep -E "Main process exited|Scheduled restart|Starting|Started|health checks generation" | tail -5 | sed 's/^/        /'
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "      median ${sorted[$(( ${#sorted[@]} / 2 ))]} ms, min ${sorted[0]} ms, max ${sorted[-1]} ms"
check "restarted after every crash (NRestarts=$(prop NRestarts))" test "$(prop NRestarts)" = "$crashes"
check "every restart served again within 30 s" test "${sorted[-1]}" -lt 30000

t0=$(now_ms)
inside systemctl stop salt-ha-gateway
echo "      systemctl stop took $(( $(now_ms) - t0 )) ms"
check "stop: inactive with result success" test "$(prop ActiveState)/$(prop Result)" = inactive/success

if (( failures > 0 )); then
  echo "--- journal ---"; inside journalctl -u salt-ha-gateway --no-pager | tail -40
  echo "$failures check(s) failed"; exit 1
fi
echo "all checks held"
