#!/usr/bin/env bash
# G2 -> G4 and G4 -> G2 GB/s next to redis-benchmark SET/GET of the same value size, pipeline and connections,
# three repetitions each, on fresh loopback redis-servers. Needs redis-server and redis-benchmark, and
# `./mvnw -pl kvbm-remote-redis -am install -DskipTests` plus `test-compile` done.
# Usage: kvbm-remote-redis/src/bench/g4-vs-redis-benchmark.sh [PIPELINE] [CONNECTIONS] [TOTAL_MIB]
set -euo pipefail
cd "$(dirname "$0")/../.."
. ../.mvn/jdk25.sh
kvbm_find_jdk
PIPELINE=${1:-8}; CONNECTIONS=${2:-4}; TOTAL=$(( ${3:-512} * 1024 * 1024 ))
../mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
CP="target/test-classes:target/classes:$(cat target/bench.classpath)"
for SIZE in $((256 * 1024)) $((2 * 1024 * 1024)); do
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$CP" dev.kvbm.tier.redis.internal.G4Throughput \
    "$SIZE" "$TOTAL" "$PIPELINE" "$CONNECTIONS" 3
done
