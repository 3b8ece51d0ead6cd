#!/usr/bin/env bash
# Fuzzes one parser of the gateway with libFuzzer through SharpFuzz (see bench/fuzz/README.md).
#   bench/fuzz/run.sh TARGET SECONDS     TARGET: vrrp | sync-wire | nginx | keepalived | status-line
# Installs clang with libFuzzer (Debian) and the sharpfuzz tool, publishes bench/fuzz/SaltHaGateway.Fuzz,
# instruments the product assemblies in the published copy, builds the libFuzzer driver and runs it for SECONDS
# (niced) on the seed corpus bench/fuzz/corpus/TARGET. New corpus entries and findings go to the work directory
# (FUZZ_WORK, default /tmp/saltha-fuzz). Exit 0: no finding; 1: a finding, whose input is copied to
# bench/fuzz/crashes/TARGET/ (the replay test runs it from then on); 2: usage or setup error.
# More libFuzzer flags: FUZZ_FLAGS="-max_len=4096 ...". Needs root for apt-get when something is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

TARGETS="vrrp sync-wire nginx keepalived status-line"
TARGET=${1:-}
SECONDS_TO_RUN=${2:-}
if [[ " $TARGETS " != *" $TARGET "* || ! "$SECONDS_TO_RUN" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 {${TARGETS// /|}} SECONDS" >&2
  exit 2
fi
WORK=${FUZZ_WORK:-/tmp/saltha-fuzz}
mkdir -p "$WORK"

# clang with libFuzzer's runtime (Debian 12: clang 14).
CLANG=clang-14
if ! command -v "$CLANG" >/dev/null || [ ! -f "$($CLANG -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a" ]; then
  echo "installing clang-14 and libclang-rt-14-dev"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null
fi

# The instrumentation tool.
SHARPFUZZ=$WORK/tools/sharpfuzz
if [ ! -x "$SHARPFUZZ" ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$WORK/tools" >/dev/null
fi

# The driver: libFuzzer in this process, the .NET target in a child.
DRIVER=$WORK/dotnet-driver
if [ ! -x "$DRIVER" ] || [ bench/fuzz/driver/dotnet-driver.c -nt "$DRIVER" ]; then
  "$CLANG" -O1 -g -fsanitize=fuzzer bench/fuzz/driver/dotnet-driver.c -o "$DRIVER"
fi

# A fresh publish each time: the tool instruments in place and refuses an assembly it already instrumented.
PUBLISH=$WORK/publish
rm -rf "$PUBLISH"
dotnet publish bench/fuzz/SaltHaGateway.Fuzz/SaltHaGateway.Fuzz.csproj -c Release -o "$PUBLISH" -v quiet -nologo >/dev/null
# An uninstrumented copy runs a finding outside the fuzzer (instrumented code needs the driver's shared memory).
PLAIN=$WORK/plain
rm -rf "$PLAIN"
cp -r "$PUBLISH" "$PLAIN"
for dll in SaltHaGateway.Vrrp SaltHaGateway.Sync SaltHaGateway.Proxy SaltHaGateway.Health SaltHaGateway.Import; do
  "$SHARPFUZZ" "$PUBLISH/$dll.dll" >/dev/null
done

case "$TARGET" in
  vrrp|status-line) MAX_LEN=2048 ;;
  *) MAX_LEN=16384 ;;
esac
CORPUS=$WORK/corpus/$TARGET
ARTIFACTS=$WORK/artifacts/$TARGET
mkdir -p "$CORPUS" "$ARTIFACTS" "bench/fuzz/corpus/$TARGET"
LOG=$WORK/$TARGET.log
DICT=()
[ -f "bench/fuzz/dict/$TARGET.dict" ] && DICT=(-dict="bench/fuzz/dict/$TARGET.dict")

echo "fuzzing $TARGET for ${SECONDS_TO_RUN}s; log $LOG"
status=0
# shellcheck disable=SC2086
nice -n 10 "$DRIVER" -max_total_time="$SECONDS_TO_RUN" -timeout=10 -max_len="$MAX_LEN" -print_final_stats=1 \
  -artifact_prefix="$ARTIFACTS/" "${DICT[@]}" ${FUZZ_FLAGS:-} "$CORPUS" "bench/fuzz/corpus/$TARGET" \
  --target="$PUBLISH/SaltHaGateway.Fuzz" --target_arg="$TARGET" >"$LOG" 2>&1 || status=$?

# libFuzzer's last progress line (cov/ft/corp/exec/s) and its final statistics.
grep -E '^#[0-9]+' "$LOG" | tail -1 || true
grep -E '^stat::' "$LOG" || true
echo "corpus: $(find "$CORPUS" -type f | wc -l) files in $CORPUS (seeds: $(find "bench/fuzz/corpus/$TARGET" -type f | wc -l))"

if [ "$status" -ne 0 ]; then
  mkdir -p "bench/fuzz/crashes/$TARGET"
  found=0
  for f in "$ARTIFACTS"/crash-* "$ARTIFACTS"/timeout-* "$ARTIFACTS"/oom-* "$ARTIFACTS"/slow-unit-*; do
    [ -f "$f" ] || continue
    cp "$f" "bench/fuzz/crashes/$TARGET/"
    echo "FINDING: bench/fuzz/crashes/$TARGET/$(basename "$f")"
    found=1
  done
  grep -E -m1 -A25 'Unhandled exception|Exception:|ERROR: libFuzzer|dotnet-driver:' "$LOG" | head -40 || true
  if [ "$found" -eq 0 ]; then
    echo "libFuzzer exited with $status without a finding; see $LOG" >&2
    exit 2
  fi
  echo "reproduce: $PLAIN/SaltHaGateway.Fuzz $TARGET bench/fuzz/crashes/$TARGET/FILE"
  exit 1
fi
echo "no finding"
