#!/usr/bin/env bash
# The GPU check, ready to run on a machine with an NVIDIA GPU, from the
# repository's root, after the install the README gives:
#
#     bash bench/gpu_check.sh            # at most 9.5 minutes: the steps' limits add up to 570 s
#
# (Written and checked with `bash -n` on a machine without a GPU: it has not yet been run on one.)
#
# It runs, each with a time limit, and prints one report at the end:
#   1. the whole test suite there (the CUDA tests included: they run wherever a GPU is seen;
#      pytest.ini stops any one test after 120 s, so a hang is a failure, not the whole step's time);
#   2. the speed benchmark with the data already on the GPU (bench/train_speed.py --device cuda),
#      whose report gives P23's training step against the ceiling for the same batch (target: 80% or more);
#   3. P29 and P30 on CIFAR10-shaped data as large as CIFAR10 (50,000 + 10,000 made-up images:
#      the real CIFAR10 is used instead when it is in data/);
#   4. --amp in both its forms: bfloat16 autocast (--amp bf16) and float16 with GradScaler (--amp fp16),
#      on 5,000 + 1,000 made-up images (tests/test_p29_p30.py asserts the GradScaler's use on CUDA).
# Logs go to $GPU_CHECK_OUT (default /tmp/gpu_check); the report is report.txt there.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
OUT_DIR=${GPU_CHECK_OUT:-/tmp/gpu_check}
mkdir -p "$OUT_DIR"
REPORT="$OUT_DIR/report.txt"
: > "$REPORT"
export PYTHONUNBUFFERED=1

say() { echo "$*" | tee -a "$REPORT"; }

step() {      # step NAME SECONDS command...: run it with a time limit, keep its log, report its last lines
    local name=$1 limit=$2 started rc
    shift 2
    started=$(date +%s)
    timeout "$limit" "$@" > "$OUT_DIR/$name.log" 2>&1
    rc=$?
    say "== $name: exit $rc in $(( $(date +%s) - started )) s$([ $rc = 124 ] && echo ' (stopped at its time limit)')"
}

say "GPU check, $(date -u '+%Y-%m-%d %H:%M UTC')"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | sed 's/^/GPU: /' | tee -a "$REPORT"
"$PY" -c "import torch, platform; print('torch', torch.__version__, '| CUDA', torch.version.cuda, '| bf16', torch.cuda.is_available() and torch.cuda.is_bf16_supported(), '|', platform.processor() or platform.machine())" 2>&1 | tee -a "$REPORT"
if ! "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
    say "no CUDA GPU is visible to this PyTorch: nothing to check here (install the CUDA build, see README)"
    exit 1
fi

# 1. the tests, CUDA ones included (the first CUDA start in each worker can take a minute: 240 s leaves room)
step tests 240 "$PY" -m pytest -q -n 4 -rfEs
grep -E "^(FAILED|ERROR) " "$OUT_DIR/tests.log" | head -n 10 | sed 's/^/    /' | tee -a "$REPORT"
tail -n 1 "$OUT_DIR/tests.log" | sed 's/^/    /' | tee -a "$REPORT"

# 2. the speed benchmark, data on the GPU
step speed 120 "$PY" bench/train_speed.py --device cuda --images 50000 --course-images 5000 --repeats 2
sed -n '/^machine:/,$p' "$OUT_DIR/speed.log" | sed 's/^/    /' | tee -a "$REPORT"

# 3. P29 and P30 on CIFAR10-sized data (made up unless data/ holds the real one)
export CIFAR10_STANDIN_SIZE=50000,10000
real=$([ -d data/cifar-10-batches-py ] && echo "" || echo "--tiny")
step p29 60 "$PY" lessons/p29_train_gpu_1.py $real --epochs 1 --logdir "$OUT_DIR/logs/p29" --out-dir "$OUT_DIR/ckpt29"
grep -E "训练时间|time|正确率|accuracy|Error|error" "$OUT_DIR/p29.log" | tail -n 4 | sed 's/^/    /' | tee -a "$REPORT"
step p30 90 "$PY" lessons/p30_train_gpu_2.py $real --epochs 1 --logdir "$OUT_DIR/logs/p30" --out-dir "$OUT_DIR/ckpt30"
grep -E "训练时间|time|正确率|accuracy|秒|Error|error" "$OUT_DIR/p30.log" | tail -n 6 | sed 's/^/    /' | tee -a "$REPORT"

# 4. --amp in both forms, on P30 (fewer pictures: P30 trains the CPU's side-by-side run too)
export CIFAR10_STANDIN_SIZE=5000,1000
for form in bf16 fp16; do
    step "amp_$form" 30 "$PY" lessons/p30_train_gpu_2.py $real --epochs 1 --amp "$form" --lang en \
        --logdir "$OUT_DIR/logs/amp_$form" --out-dir "$OUT_DIR/ckpt_$form"
    grep -E -- "--amp|accuracy|seconds|Error|error" "$OUT_DIR/amp_$form.log" | tail -n 4 | sed 's/^/    /' | tee -a "$REPORT"
done
unset CIFAR10_STANDIN_SIZE
say "report: $REPORT"
