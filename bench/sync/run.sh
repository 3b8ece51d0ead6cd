#!/usr/bin/env bash
# Config-sync benchmark: SaltHaGateway sync vs `inotifywait | unison` (and rsync for the initial copy),
# both run the same way on this machine: two replicas in temp dirs, loopback only. Needs root,
# apt packages unison inotify-tools rsync. One run; prints medians/percentiles and ratios.
# FRESH_FS=1: run on a new ext4 filesystem (default mkfs options, with journal) in a loop-mounted 16 GiB (sparse)
# image, so file creation does not depend on what the rest of the machine created and deleted before.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build tests/SaltHaGateway.Sync.Tests/NodeRunner -c Release -v q -nologo >/dev/null
if [[ "${FRESH_FS:-0}" == 1 ]]; then
    img_dir=$(mktemp -d /var/tmp/shgs-fs.XXXXXX)
    truncate -s 16G "$img_dir/fs.img"
    mkfs.ext4 -q -F "$img_dir/fs.img"
    mkdir "$img_dir/mnt"
    mount -o loop "$img_dir/fs.img" "$img_dir/mnt"
    trap 'umount "$img_dir/mnt"; rm -rf "$img_dir"' EXIT
    export BENCH_DIR="$img_dir/mnt"
    echo "fresh ext4 filesystem at $BENCH_DIR"
fi
python3 bench/sync/bench.py "$@"
