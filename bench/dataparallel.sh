#!/usr/bin/env bash
# Data-parallel training step (deit_tiny_patch16_224, W4A4 + regulariser) at world 1 and 2 with the
# same global batch, and the gradient all-reduce over shared memory and over TCP, in interleaved
# rounds (A B A B ...). Needs Open MPI and the bench module built:
#   ./mvnw -q -pl bench -am package -DskipTests && bench/dataparallel.sh [rounds] [global-batch] [all|steps|allreduce]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
batch="${2:-16}"
what="${3:-all}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
java_cmd=(java -Dai.djl.offline=true --add-modules jdk.incubator.vector
  -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" dev.vvtq.bench.DataParallelStepBenchmark)
mpi=(mpirun --bind-to none -x OMP_WAIT_POLICY=PASSIVE)
lscpu | grep -E "Model name|^CPU\(s\)|Flags" | cut -c1-200
uptime
quiet() { grep -v -E "WARN|INFO|AutoNonVariable"; }
[[ "$what" == allreduce ]] || for r in $(seq 1 "$rounds"); do
  echo "== round $r: world 1"; "${mpi[@]}" -np 1 "${java_cmd[@]}" deit_tiny_patch16_224 "$batch" --steps 3 --warmup 1 2>&1 | quiet
  echo "== round $r: world 2"; "${mpi[@]}" -np 2 "${java_cmd[@]}" deit_tiny_patch16_224 "$batch" --steps 3 --warmup 1 2>&1 | quiet
done
[[ "$what" == steps ]] || for r in $(seq 1 "$rounds"); do
  echo "== round $r: allreduce, shared memory (vader)"
  "${mpi[@]}" -np 2 --mca btl self,vader "${java_cmd[@]}" --allreduce-only --allreduce-reps 30 2>&1 | quiet | grep allreduce
  echo "== round $r: allreduce, TCP (loopback)"
  "${mpi[@]}" -np 2 --mca btl self,tcp "${java_cmd[@]}" --allreduce-only --allreduce-reps 30 2>&1 | quiet | grep allreduce
done
uptime
