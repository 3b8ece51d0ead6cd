#!/usr/bin/env bash
# Config-sync benchmark: SaltHaGateway sync vs `inotifywait | unison` (and rsync for the initial copy),
# both run the same way on this machine: two replicas in temp dirs, loopback only. Needs root,
# apt packages unison inotify-tools rsync. One run; prints medians/percentiles and ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build tests/SaltHaGateway.Sync.Tests/NodeRunner -c Release -v q -nologo >/dev/null
exec python3 bench/sync/bench.py "$@"
