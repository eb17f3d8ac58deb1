#!/usr/bin/env bash
# Closed-loop gRPC load benchmark of the inference service on loopback (results: bench/RESULTS.md).
#
# Publishes two random-weight W4A4 models into a local store (fmnist: 32x32 patch 4 dim 96 depth 4
# heads 3; deit-t: DeiT-Tiny 224), then starts the packaged service twice (dynamic batching on, then off) and drives it with
# dev.vvtq.inference.bench.LoadBenchmark: single-image Classify requests from N clients for a fixed
# time, at full speed, at a fixed rate, and at 4x overload. Every run is bounded in time; only
# 127.0.0.1 is contacted.
#
# Usage: bench/inference-load.sh [seconds-per-run]   (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${1:-15}
WORK=${WORK:-/tmp/vvtq-inference-bench}
GRPC_PORT=${GRPC_PORT:-19000}
HTTP_PORT=${HTTP_PORT:-18080}
JAVA=${JAVA:-java}
JVM_FLAGS=(--add-modules jdk.incubator.vector)
if "$JAVA" -version 2>&1 | grep -q 'version "2[2-9]'; then
  JVM_FLAGS+=(--enable-native-access=ALL-UNNAMED)
fi

mkdir -p "$WORK"
./mvnw -q -pl proto,inference-service -am package -DskipTests
./mvnw -q -pl proto,inference-service -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/test-classpath.txt" >/dev/null
CP="inference-service/target/test-classes:inference-service/target/classes:$(cat "$WORK/test-classpath.txt")"

bench() { "$JAVA" "${JVM_FLAGS[@]}" -cp "$CP" -Dvvtq.bench.target=127.0.0.1:$GRPC_PORT \
  -Dvvtq.bench.metrics=http://127.0.0.1:$HTTP_PORT/q/metrics "$@" dev.vvtq.inference.bench.LoadBenchmark; }

if [ ! -f "$WORK/store/models/deit-t/1/manifest.json" ]; then
  bench -Dvvtq.bench.prepare-store="$WORK/store"
fi

# The engine's own batch-1 latency (the reference of the goal) is measured without gRPC, with
# IntDeit.forward(image, 1) after warmUp() on the same model files ($WORK/cache/models/*/1 once the
# service has loaded them); see bench/RESULTS.md.

for batching in true false; do
  echo "== service, dynamic batching $batching"
  "$JAVA" "${JVM_FLAGS[@]}" -Xmx2g \
    -Dquarkus.grpc.server.port=$GRPC_PORT -Dquarkus.http.port=$HTTP_PORT -Dquarkus.grpc.server.host=127.0.0.1 \
    -Dquarkus.http.host=127.0.0.1 \
    -Dvvtq.inference.store.location="$WORK/store" -Dvvtq.inference.cache-dir="$WORK/cache" \
    -Dvvtq.inference.models=fmnist=models/fmnist/1,deit-t=models/deit-t/1 \
    -Dvvtq.inference.batching.enabled=$batching \
    -jar inference-service/target/quarkus-app/quarkus-run.jar > "$WORK/server-$batching.log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  ready=false
  for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$HTTP_PORT/q/health/ready" >/dev/null; then ready=true; break; fi
    sleep 1
  done
  if [ "$ready" != true ]; then
    echo "the service did not become ready; readiness says:" >&2
    curl -s "http://127.0.0.1:$HTTP_PORT/q/health/ready" >&2 || tail -20 "$WORK/server-$batching.log" >&2
    exit 1
  fi
  for model in fmnist deit-t; do
    size=32; [ "$model" = deit-t ] && size=224
    common=(-Dvvtq.bench.model=$model -Dvvtq.bench.size=$size -Dvvtq.bench.seconds=$SECS -Dvvtq.bench.label=batching=$batching)
    bench "${common[@]}" -Dvvtq.bench.clients=1
    # 8 clients flat out (peak), paced at half that rate, then 32 clients (4x) with a 1 s deadline.
    bench "${common[@]}" -Dvvtq.bench.clients=8 -Dvvtq.bench.suite=true
  done
  kill $server
  wait $server || true
  trap - EXIT
done
