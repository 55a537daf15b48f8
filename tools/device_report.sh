#!/usr/bin/env bash
# One-shot performance report for a GPU machine without a Rust toolchain or network.
#
# Usage: tools/device_report.sh OUT_DIR [--smoke] [--bin-dir DIR] [--budget SECONDS]
#
# Takes prebuilt executables from DIR (default: .device/ at the repository root, filled by
# tools/prepare_device_bundle.sh), each looked up in DIR and DIR/examples:
#   atb-gpu        the release binary           (cargo build --release)
#   epoch_bench    tools/epoch_bench.rs         (cargo build --release --example epoch_bench)
#   gbdt_bench     tools/gbdt_bench.rs          (cargo build --release --example gbdt_bench)
#   kernels_bench  the criterion bench kernels  (cargo bench --no-run; optional)
# and Vulkan loader packages (*.deb) from DIR and .gl/, unpacked with `dpkg -x` into a
# temporary prefix put on LD_LIBRARY_PATH. When no Vulkan ICD names NVIDIA and the
# container's /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json exists, VK_DRIVER_FILES
# points at it. Python with PyTorch is optional: torch steps are skipped with the reason
# when it (or CUDA) is missing; XGBoost and LightGBM likewise.
#
# Records, each step guarded (a failure is recorded with its stderr tail and the report goes
# on) and bounded by `timeout` and by the whole report's budget (default 480 s, 420 s with
# --smoke): `atb-gpu devices`; per architecture and batch size 32/256 an epoch_bench run on the
# GPU (epoch seconds, parameters, batch-256 windows/s, batch-1 latency), interleaved with
# tools/torch_reference.py eager on the same windows; the criterion kernels (matmul 4096^3,
# LSTM h128 b256 T60, attention b256, the TCN conv1d stack b256) beside tools/torch_kernels.py;
# the boosting 10M x 28 run beside XGBoost hist (CUDA) and LightGBM; torch_reference.py
# --compile last. Writes OUT_DIR/steps/* (command, stdout, stderr, status of every step),
# OUT_DIR/report.json and OUT_DIR/summary.md (tools/device_report_summary.py).
#
# --smoke: the same steps on whatever is here (lavapipe, the CPU), small enough for a test: the
# lightweight variants on 8-bar windows of 7 days, batch sizes 16 and 64, one epoch, tiny
# kernel shapes, 5k boosting rows; torch on the CPU when CUDA is absent; torch.compile only
# on CUDA.

set -u

usage() {
    echo "usage: $0 OUT_DIR [--smoke] [--bin-dir DIR] [--budget SECONDS]" >&2
    exit 2
}

OUT=""
SMOKE=0
BIN_DIR=""
BUDGET=""
while [ $# -gt 0 ]; do
    case "$1" in
    --smoke) SMOKE=1 ;;
    --bin-dir)
        [ $# -ge 2 ] || usage
        BIN_DIR=$2
        shift
        ;;
    --budget)
        [ $# -ge 2 ] || usage
        BUDGET=$2
        shift
        ;;
    -h | --help) usage ;;
    -*)
        echo "device_report: unknown option $1" >&2
        usage
        ;;
    *)
        [ -z "$OUT" ] || usage
        OUT=$1
        ;;
    esac
    shift
done
[ -n "$OUT" ] || usage

TOOLS=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$TOOLS/.." && pwd)
BIN_DIR=${BIN_DIR:-$REPO/.device}
# A rerun into the same folder starts from empty step records.
rm -rf "$OUT/steps" "$OUT/criterion" "$OUT/windows"
mkdir -p "$OUT/steps" || exit 1
OUT=$(cd "$OUT" && pwd)
STEPS=$OUT/steps
PY=${PYTHON:-python3}
START=$(date +%s)

if [ "$SMOKE" = 1 ]; then
    MODE=smoke
    BUDGET=${BUDGET:-420}
    DAYS=7
    SEQUENCE_LENGTH=8
    VARIANT=lightweight
    BATCH_SIZES="16 64"
    EPOCHS=1
    LATENCY_RUNS=3
    # One torch thread: a small shared test machine is slower with more.
    SMOKE_TORCH_THREADS=1
    GBDT_ARGS=(--rows 5000 --cols 28 --rounds 3 --leaves 15)
    STEP_LIMIT=120
    CRITERION_FILTER='^(matmul/gpu/256x256x256|lstm/gpu_forward/b32_t60_f15_h64|attention/gpu_forward/b32_t60_h4_dk64|conv1d_tcn/forward/gpu/b32)$'
    CRITERION_ARGS=(--quick)
    TORCH_KERNEL_ARGS=(--smoke)
else
    MODE=full
    BUDGET=${BUDGET:-480}
    DAYS=365
    SEQUENCE_LENGTH=60
    VARIANT=default
    BATCH_SIZES="32 256"
    EPOCHS=2
    LATENCY_RUNS=200
    SMOKE_TORCH_THREADS=""
    GBDT_ARGS=(--rows 10000000 --cols 28 --rounds 100 --leaves 255)
    STEP_LIMIT=120
    CRITERION_FILTER='^(matmul/gpu/4096x4096x4096|lstm/gpu_(forward|forward_backward)/b256_t60_f15_h128|attention/gpu_(forward|forward_backward)/b256_t60_h4_dk64|conv1d_tcn/(forward|forward_backward)/gpu/b256)$'
    CRITERION_ARGS=()
    TORCH_KERNEL_ARGS=()
fi
ARCHITECTURES="cnn_lstm attention_lstm tcn tcn_attention"

log() { echo "device_report: $*" >&2; }

# The path of executable $1 in BIN_DIR or BIN_DIR/examples, or nothing.
find_exe() {
    local dir
    for dir in "$BIN_DIR" "$BIN_DIR/examples"; do
        if [ -f "$dir/$1" ] && [ -x "$dir/$1" ]; then
            echo "$dir/$1"
            return 0
        fi
    done
    return 1
}

# skip NAME REASON
skip() {
    echo "$1" >>"$STEPS/order.txt"
    echo skipped >"$STEPS/$1.status"
    echo "$2" >"$STEPS/$1.reason"
    log "$1: skipped: $2"
}

# run_step NAME LIMIT_SECONDS COMMAND... : runs COMMAND under timeout, records everything.
run_step() {
    local name=$1 limit=$2 left rc t0 t1
    shift 2
    left=$((BUDGET - ($(date +%s) - START)))
    if [ "$left" -lt 5 ]; then
        skip "$name" "the report's time budget (${BUDGET} s) was spent"
        return 1
    fi
    [ "$limit" -le "$left" ] || limit=$left
    echo "$name" >>"$STEPS/order.txt"
    printf '%q ' "$@" >"$STEPS/$name.cmd"
    log "$name (at most ${limit} s): $*"
    t0=$(date +%s.%N)
    timeout --kill-after=5 "$limit" "$@" >"$STEPS/$name.out" 2>"$STEPS/$name.err"
    rc=$?
    t1=$(date +%s.%N)
    echo "$t0 $t1" | awk '{printf "%.3f\n", $2 - $1}' >"$STEPS/$name.seconds"
    if [ "$rc" = 0 ]; then
        echo passed >"$STEPS/$name.status"
        return 0
    fi
    echo failed >"$STEPS/$name.status"
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        echo "timed out after ${limit} s" >"$STEPS/$name.reason"
    else
        echo "exit status $rc" >"$STEPS/$name.reason"
    fi
    log "$name: failed ($(cat "$STEPS/$name.reason")); stderr tail:"
    tail -n 5 "$STEPS/$name.err" >&2
    return 1
}

# --- environment -------------------------------------------------------------------------
ENV_NOTES=()
ATB=$(find_exe atb-gpu) || ATB=""
EPOCH_BENCH=$(find_exe epoch_bench) || EPOCH_BENCH=""
GBDT_BENCH=$(find_exe gbdt_bench) || GBDT_BENCH=""
KERNELS_BENCH=$(find_exe kernels_bench) || KERNELS_BENCH=""

DEBS=()
for deb in "$BIN_DIR"/*.deb "$REPO"/.gl/*.deb; do
    [ -f "$deb" ] && DEBS+=("$deb")
done
if [ ${#DEBS[@]} -gt 0 ]; then
    if command -v dpkg >/dev/null; then
        VK_PREFIX=$(mktemp -d)
        trap 'rm -rf "$VK_PREFIX"' EXIT
        for deb in "${DEBS[@]}"; do
            dpkg -x "$deb" "$VK_PREFIX" && ENV_NOTES+=("unpacked $(basename "$deb")")
        done
        LIBS=$(find "$VK_PREFIX" -name 'libvulkan.so*' -printf '%h\n' | sort -u | paste -sd:)
        if [ -n "$LIBS" ]; then
            export LD_LIBRARY_PATH="$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
            ENV_NOTES+=("LD_LIBRARY_PATH=$LD_LIBRARY_PATH")
        fi
    else
        ENV_NOTES+=("dpkg missing: the carried .deb files were not unpacked")
    fi
fi
NVIDIA_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$NVIDIA_ICD" ] &&
    ! grep -qil nvidia /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json 2>/dev/null; then
    export VK_DRIVER_FILES=$NVIDIA_ICD
    ENV_NOTES+=("VK_DRIVER_FILES=$NVIDIA_ICD")
fi

TORCH=""
CUDA=0
if TORCH=$("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null); then
    CUDA=$("$PY" -c 'import torch; print(int(torch.cuda.is_available()))' 2>/dev/null || echo 0)
fi
TORCH_DEVICE=""
TORCH_MISSING=""
if [ -z "$TORCH" ]; then
    TORCH_MISSING="PyTorch is not importable by $PY"
elif [ "$CUDA" = 1 ]; then
    TORCH_DEVICE=cuda
elif [ "$SMOKE" = 1 ]; then
    TORCH_DEVICE=cpu
else
    TORCH_MISSING="torch.cuda.is_available() is False"
fi
has_module() { "$PY" -c "import $1" >/dev/null 2>&1; }

# Ours on the GPU adapter: the H200 in a full run, lavapipe (a software adapter) in a smoke run.
export ATB_ALLOW_SOFTWARE_ADAPTER=1
OURS_DEVICE=gpu

{
    echo "mode=$MODE"
    echo "budget_s=$BUDGET"
    echo "bin_dir=$BIN_DIR"
    echo "atb_gpu=${ATB:-missing}"
    echo "epoch_bench=${EPOCH_BENCH:-missing}"
    echo "gbdt_bench=${GBDT_BENCH:-missing}"
    echo "kernels_bench=${KERNELS_BENCH:-missing}"
    echo "torch=${TORCH:-missing}"
    echo "cuda=$CUDA"
    echo "host=$(uname -n) $(uname -sr)"
    echo "cpus=$(nproc)"
    echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    for note in "${ENV_NOTES[@]+"${ENV_NOTES[@]}"}"; do echo "note=$note"; done
    command -v nvidia-smi >/dev/null &&
        echo "gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)"
} >"$OUT/environment.txt"

# --- steps -------------------------------------------------------------------------------
if [ -n "$ATB" ]; then
    run_step devices 60 "$ATB" devices
else
    skip devices "no atb-gpu executable in $BIN_DIR"
fi

WINDOWS=$OUT/windows
for arch in $ARCHITECTURES; do
    for batch in $BATCH_SIZES; do
        ours=epoch_ours_${arch}_bs$batch
        torch_step=epoch_torch_eager_${arch}_bs$batch
        if [ -z "$EPOCH_BENCH" ]; then
            skip "$ours" "no epoch_bench executable in $BIN_DIR"
            skip "$torch_step" "no epoch_bench run exported the windows"
            continue
        fi
        export_args=()
        [ -f "$WINDOWS/meta.json" ] || export_args=(--export "$WINDOWS")
        run_step "$ours" "$STEP_LIMIT" "$EPOCH_BENCH" --model-type "$arch" --batch-size "$batch" \
            --variant "$VARIANT" --sequence-length "$SEQUENCE_LENGTH" --epochs "$EPOCHS" \
            --days "$DAYS" --device "$OURS_DEVICE" \
            --latency-runs "$LATENCY_RUNS" "${export_args[@]+"${export_args[@]}"}"
        if [ -n "$TORCH_MISSING" ]; then
            skip "$torch_step" "$TORCH_MISSING"
        elif [ ! -f "$WINDOWS/meta.json" ]; then
            skip "$torch_step" "no epoch_bench run exported the windows"
        else
            expect=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["trainable_parameters"])' \
                "$STEPS/$ours.out" 2>/dev/null) || expect=""
            run_step "$torch_step" "$STEP_LIMIT" "$PY" "$TOOLS/torch_reference.py" --data "$WINDOWS" \
                --model-type "$arch" --variant "$VARIANT" --batch-size "$batch" --epochs "$EPOCHS" \
                --device "$TORCH_DEVICE" ${SMOKE_TORCH_THREADS:+--threads "$SMOKE_TORCH_THREADS"} \
                --latency-runs "$LATENCY_RUNS" ${expect:+--expect-params "$expect"} --json
        fi
    done
done

if [ -n "$KERNELS_BENCH" ]; then
    CRITERION_HOME=$OUT/criterion run_step kernels_ours 180 "$KERNELS_BENCH" --bench \
        "${CRITERION_ARGS[@]+"${CRITERION_ARGS[@]}"}" "$CRITERION_FILTER"
else
    skip kernels_ours "no kernels_bench executable in $BIN_DIR (cargo bench --no-run builds it)"
fi
if [ -n "$TORCH_MISSING" ]; then
    skip kernels_torch "$TORCH_MISSING"
else
    run_step kernels_torch 120 "$PY" "$TOOLS/torch_kernels.py" --device "$TORCH_DEVICE" \
        "${TORCH_KERNEL_ARGS[@]+"${TORCH_KERNEL_ARGS[@]}"}" --json
fi

if [ -n "$GBDT_BENCH" ]; then
    run_step gbdt_ours 150 "$GBDT_BENCH" "${GBDT_ARGS[@]}" --device gpu
else
    skip gbdt_ours "no gbdt_bench executable in $BIN_DIR"
fi
if ! has_module xgboost; then
    skip gbdt_xgboost "xgboost is not importable by $PY"
elif [ "$CUDA" != 1 ] && [ "$SMOKE" != 1 ]; then
    skip gbdt_xgboost "no CUDA for XGBoost"
else
    run_step gbdt_xgboost 150 "$PY" "$TOOLS/xgboost_bench.py" "${GBDT_ARGS[@]}" \
        --device "$([ "$CUDA" = 1 ] && echo cuda || echo cpu)"
fi
if has_module lightgbm; then
    run_step gbdt_lightgbm 150 "$PY" "$TOOLS/lightgbm_bench.py" "${GBDT_ARGS[@]}"
else
    skip gbdt_lightgbm "lightgbm is not importable by $PY"
fi

for arch in $ARCHITECTURES; do
    for batch in $BATCH_SIZES; do
        name=epoch_torch_compile_${arch}_bs$batch
        if [ -n "$TORCH_MISSING" ]; then
            skip "$name" "$TORCH_MISSING"
        elif [ "$TORCH_DEVICE" != cuda ]; then
            skip "$name" "torch.compile runs on CUDA only in this report (minutes of compilation on a CPU)"
        elif [ ! -f "$WINDOWS/meta.json" ]; then
            skip "$name" "no epoch_bench run exported the windows"
        else
            run_step "$name" "$STEP_LIMIT" "$PY" "$TOOLS/torch_reference.py" --data "$WINDOWS" \
                --model-type "$arch" --variant "$VARIANT" --batch-size "$batch" --epochs "$EPOCHS" --device cuda \
                --compile --latency-runs "$LATENCY_RUNS" --json
        fi
    done
done

echo "finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$OUT/environment.txt"
echo "elapsed_s=$(($(date +%s) - START))" >>"$OUT/environment.txt"
"$PY" "$TOOLS/device_report_summary.py" "$OUT" || {
    log "the summary failed; the raw steps are in $STEPS"
    exit 1
}
log "wrote $OUT/report.json and $OUT/summary.md"
