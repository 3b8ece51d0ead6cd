#!/usr/bin/env bash
# Through-the-gateway health-check benchmark (see README.md): real salt-ha-gateway, two real nginx upstreams,
# 50 GET/s through the gateway; plus the prober-level emulated-module scenario in the same invocation.
# Usage: bench/health/gateway.sh [runs=5] [steady-seconds=60] [module-runs=5]
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v nginx >/dev/null || { echo "nginx is needed (apt-get install nginx)" >&2; exit 1; }
dotnet build src/SaltHaGateway -c Release -v q -nologo >/dev/null
dotnet build bench/health/HealthBench -c Release -v q -nologo >/dev/null
exec dotnet bench/health/HealthBench/bin/Release/net10.0/HealthBench.dll gateway \
  "$PWD/src/SaltHaGateway/bin/Release/net10.0/salt-ha-gateway" "${1:-5}" "${2:-60}" "${3:-5}"
