#!/usr/bin/env bash
# Builds everything tools/device_report.sh needs on a GPU machine without a Rust toolchain or
# network, and puts it where the report looks by default:
#
#   .device/atb-gpu         release binary                 (cargo build --release)
#   .device/epoch_bench     tools/epoch_bench.rs           (release example)
#   .device/gbdt_bench      tools/gbdt_bench.rs            (release example)
#   .device/kernels_bench   benches/kernels.rs (criterion) (cargo bench --no-run)
#   .gl/libvulkan1_*.deb    the Vulkan loader              (apt-get download libvulkan1)
#
# Debug information is stripped so the two folders stay well under the 64 MiB a device run
# carries. Both folders are git-ignored. Then, on the device machine (repository root):
#   tools/device_report.sh "$OUT/device-report"        (carry: .device and .gl)
#
# Usage: tools/prepare_device_bundle.sh [--skip-build]   (--skip-build: copy what is built)
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
case "${1:-}" in
--skip-build) build=0 ;;
"") ;;
*)
    echo "usage: $0 [--skip-build]" >&2
    exit 2
    ;;
esac

if [ "$build" = 1 ]; then
    cargo build --release --locked --bin atb-gpu --example epoch_bench --example gbdt_bench
fi
# The criterion executable's path has a hash in it: ask cargo for it.
bench=$(cargo bench --locked --no-run --bench kernels --message-format=json 2>/dev/null |
    python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and "bench" in m["target"]["kind"] and m.get("executable"):
        print(m["executable"])
')
[ -n "$bench" ] || {
    echo "prepare_device_bundle: cargo bench --no-run gave no executable" >&2
    exit 1
}

mkdir -p .device .gl
install -m 755 target/release/atb-gpu .device/atb-gpu
install -m 755 target/release/examples/epoch_bench .device/epoch_bench
install -m 755 target/release/examples/gbdt_bench .device/gbdt_bench
install -m 755 "$bench" .device/kernels_bench
if command -v strip >/dev/null; then
    strip --strip-debug .device/atb-gpu .device/epoch_bench .device/gbdt_bench .device/kernels_bench
fi

rm -f .gl/libvulkan1_*.deb
(cd .gl && apt-get download libvulkan1)

du -ch .device/* .gl/*.deb
echo "prepare_device_bundle: ready; on the device: tools/device_report.sh \"\$OUT/device-report\" (carry .device and .gl)"
