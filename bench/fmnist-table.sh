#!/usr/bin/env bash
# The paper's ablation table on Fashion-MNIST: the float teacher and W4A4 / W3A3 / W2A2 QAT, each
# with KD soft labels + regulariser (VVTQ), KD only, and hard labels only, all from the same float
# checkpoint, then `vvtq evaluate` on the 10k val images. Prints one table row per run and the
# command behind it; results go in bench/RESULTS.md.
#
# The teacher and its soft labels come from `vvtq pipeline` (run first; finished stages are reused).
# Each row is the run runs/fmnist-table-w<B>a<B>-<variant>-<schedule>-e<EPOCHS>-n<LIMIT_TRAIN>[-s<SEED>]:
# a rerun scores a finished row again without training it and resumes an interrupted one.
#
# Settings (environment):
#   WORK=work               the pipeline's work folder (its artifacts/ is the store)
#   SCHEDULE=quick          the pipeline schedule whose teacher and soft labels are used
#   EPOCHS=2                QAT epochs per row
#   LIMIT_TRAIN=0           train on N evenly spaced images (0 = all 60k)
#   BITS="4 3 2"            bit widths (weights = activations)
#   VARIANTS="vvtq kd hard"
#   SEED=0
set -euo pipefail
cd "$(dirname "$0")/.."

WORK=${WORK:-work}
SCHEDULE=${SCHEDULE:-quick}
EPOCHS=${EPOCHS:-2}
LIMIT_TRAIN=${LIMIT_TRAIN:-0}
BITS=${BITS:-4 3 2}
VARIANTS=${VARIANTS:-vvtq kd hard}
SEED=${SEED:-0}
VVTQ=${VVTQ:-./vvtq}

STORE="$WORK/artifacts"
DATA="$WORK/fashion-mnist"
TEACHER="runs/fmnist-fp32-$SCHEDULE@best"
LABELS="softlabels/fmnist-teacher-$SCHEDULE"
mkdir -p "$WORK/logs"

if [[ ! -f "$STORE/runs/fmnist-fp32-$SCHEDULE/run.json" || ! -f "$STORE/$LABELS/manifest.json" ]]; then
  echo "== no teacher or soft labels for schedule $SCHEDULE yet: running the pipeline first"
  "$VVTQ" pipeline --work "$WORK" --schedule "$SCHEDULE" --seed "$SEED"
fi

accuracy() { # prints "top1 top5" from an evaluate log
  sed -n 's/^ \* Acc@1 \([0-9.]*\) Acc@5 \([0-9.]*\).*/\1 \2/p' "$1" | tail -1
}

rows=()
start=$(date +%s)
"$VVTQ" evaluate --resume "$TEACHER" --data "$DATA" --store "$STORE" >"$WORK/logs/table-fp32.eval.log" 2>&1
read -r t1 t5 < <(accuracy "$WORK/logs/table-fp32.eval.log")
rows+=("| FP32 teacher (\`vvtq pipeline --schedule $SCHEDULE\`) | 32/32 | - | $t1 | $t5 | see pipeline |")

for b in $BITS; do
  for v in $VARIANTS; do
    # Seed 0 keeps the ids the recorded results name; another seed is a run of its own.
    run="fmnist-table-w${b}a${b}-$v-$SCHEDULE-e$EPOCHS-n$LIMIT_TRAIN$([[ $SEED == 0 ]] || echo "-s$SEED")"
    # A finished row is reused and an interrupted one resumed: `vvtq train` never overwrites a run.
    record="$STORE/runs/$run/run.json"
    start_from=(--finetune "$TEACHER")
    if [[ -f "$record" ]] && grep -Eq '"status" *: *"SUCCEEDED"' "$record"; then
      start_from=()
    elif [[ -f "$record" ]]; then
      start_from=(--resume "runs/$run")
    fi
    args=(train --model deit_nano_patch4_32 --data "$DATA" --store "$STORE" --run-id "$run"
      "${start_from[@]}" --wbits "$b" --abits "$b" --epochs "$EPOCHS" --batch-size 128 --lr 5e-4
      --min-lr 0 --warmup-epochs 0 --wd 1e-4 --drop-path 0 --min-crop-scale 1.0 --num_crops 2
      --limit-train "$LIMIT_TRAIN" --seed "$SEED" --print-freq 100)
    case "$v" in
      vvtq) args+=(--softlabel_path "$LABELS" --reg) ;;
      kd) args+=(--softlabel_path "$LABELS") ;;
      hard) ;;
      *) echo "unknown variant $v (vvtq, kd or hard)" >&2; exit 2 ;;
    esac
    log="$WORK/logs/$run.train.log"
    if [[ ${#start_from[@]} -eq 0 ]]; then
      echo "== $run: finished in an earlier call, reusing it (delete $STORE/runs/$run to train it again)"
      took="reused"
    else
      echo "== $run: $VVTQ ${args[*]}"
      [[ ${start_from[0]} == --resume ]] || : >"$log" # a resumed run's log keeps its first part
      t0=$(date +%s)
      "$VVTQ" "${args[@]}" >>"$log" 2>&1
      took="$(( $(date +%s) - t0 )) s"
    fi
    "$VVTQ" evaluate --resume "runs/$run@best" --data "$DATA" --store "$STORE" >"$WORK/logs/$run.eval.log" 2>&1
    read -r a1 a5 < <(accuracy "$WORK/logs/$run.eval.log")
    echo "   top-1 $a1 top-5 $a5, train $took"
    rows+=("| W${b}A${b} $v | $b/$b | $v | $a1 | $a5 | $took |")
  done
done

echo
echo "Fashion-MNIST val (10,000 images), deit_nano_patch4_32, QAT $EPOCHS epochs from $TEACHER," \
  "limit-train $LIMIT_TRAIN, seed $SEED, total $(( $(date +%s) - start )) s"
echo "| row | W/A bits | labels | top-1 | top-5 | QAT wall time |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
