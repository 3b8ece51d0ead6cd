#!/usr/bin/env bash
# Runs every test of SaltHaGateway: installs what the tests need (Debian packages, NuGet restore),
# builds the solution and runs all test projects. Needs root (network namespaces, raw sockets).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(nginx keepalived iproute2 iputils-ping iputils-arping tcpdump openssl curl procps
          inotify-tools unison sqlite3 util-linux salt-pepper chromium prometheus systemd strace
          clang zlib1g-dev)  # the last two: the NativeAOT publish below
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  # Keep the packages' own services from starting (nginx would take port 80).
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi

dotnet restore SaltHaGateway.sln
dotnet build SaltHaGateway.sln -c Release --no-restore -warnaserror
# The release artifact (NativeAOT, the README's publish command): PublishedArtifactTests run it with an empty
# environment. Niced: the native compile is the heaviest step of the run. Trim and AOT warnings are errors here too
# (TreatWarningsAsErrors in Directory.Build.props).
nice -n 10 dotnet publish src/SaltHaGateway -c Release -o artifacts/aot

results=$(mktemp -d)
status=0
for proj in tests/*/*.csproj; do
  name=$(basename "$proj" .csproj)
  dotnet test "$proj" -c Release --no-build \
    --logger "trx;LogFileName=$results/$name.trx" --logger "console;verbosity=normal" \
    "$@" || status=1
done

# One closing line for the whole run, summed over every test project.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  c=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$c"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$c")
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$c")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ]; then echo "no test ran"; status=1; fi
exit $status
