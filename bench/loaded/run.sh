#!/usr/bin/env bash
# The whole test suite, RUNS times in a row (default 5), with every core busy beside it; stops at the first failure.
#
#   bench/loaded/run.sh [RUNS]
#
# Runs `tests/run.sh` (the README's test command) in a fresh clone of this checkout's HEAD, under /tmp, so the
# working tree is not touched. `stress-ng --cpu N` (N = the number of cores) runs beside it: at nice 19 while a run
# restores, builds and publishes (at full priority the NativeAOT compile alone takes half an hour on 2 cores), and
# at full priority from the moment tests execute. Each run's log is kept under the clone; the summary prints the
# load average and the pass/fail counts per run. Exit status: 0 when every run passed.
# Needs what tests/run.sh needs, plus stress-ng (installed with apt when missing). Runs as root, as the suite does.
set -euo pipefail

runs="${1:-5}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
command -v stress-ng >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stress-ng >/dev/null; }

work="$(mktemp -d /tmp/loaded-suite.XXXXXX)"
git clone -q "$repo" "$work/repo"
cd "$work/repo"
echo "# loaded suite: $runs runs of tests/run.sh at $(git rev-parse --short HEAD), stress-ng --cpu $(nproc) beside it; logs in $work"

stress-ng --cpu "$(nproc)" --timeout 6h >/dev/null 2>&1 &
stress=$!
trap 'pkill -P $stress 2>/dev/null; kill $stress 2>/dev/null || true' EXIT
sleep 2
priority() { for p in $(pgrep -f "^stress-ng"); do renice -n "$1" -p "$p" >/dev/null; done; }

for i in $(seq 1 "$runs"); do
  log="$work/run$i.log"
  priority 19
  echo "run $i start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  bash tests/run.sh >"$log" 2>&1 &
  suite=$!
  until grep -q "Test run for" "$log" 2>/dev/null || ! kill -0 "$suite" 2>/dev/null; do sleep 5; done
  priority 0
  echo "run $i tests start $(date -u +%T)"
  rc=0
  wait "$suite" || rc=$?
  echo "run $i end $(date -u +%T) rc=$rc load $(cut -d' ' -f1-3 /proc/loadavg) $(grep -E '^[0-9]+ passed' "$log" || true)"
  grep -E "^\s+Failed " "$log" || true
  [[ $rc -eq 0 ]] || { echo "run $i failed; log: $log"; exit 1; }
done
echo "# all $runs runs passed"
