#!/usr/bin/env bash
# Prober-level health-check benchmark (see README.md). Usage: bench/health/run.sh [runs] [steady-seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build bench/health/HealthBench -c Release -v q -nologo >/dev/null
exec dotnet bench/health/HealthBench/bin/Release/net10.0/HealthBench.dll "${1:-5}" "${2:-60}"
