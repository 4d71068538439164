#!/usr/bin/env bash
# Side-by-side: `netpol connectivity` vs network-config-analyzer 2.1.0 (`nca --connectivity`)
# on the benchmark's synthetic clusters (200 pods / 100 policies, 1,000 pods / 500 policies),
# whole processes on the same file (start-up, loading, computing and writing every line),
# against the goals of issue 9: at least 100x faster at 200 pods and 300x at 1,000 pods.
# netpol is the best of 10 runs, NCA the best of NCA_RUNS (default 1: it takes seconds to
# minutes). Both write to /dev/null. CPU time (user + sys) is printed beside wall time: on a
# busy machine compare those. NCA is installed from PyPI into target/nca-venv on first use.
# Not part of the test run; exits 1 when a goal is missed.
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
python3 - "$out" "${NCA_RUNS:-1}" <<'PY'
import resource, subprocess, sys, time

out, nca_runs = sys.argv[1], int(sys.argv[2])

def best(cmd, runs):
    """(wall, cpu) of the fastest run, in seconds."""
    results = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        results.append((wall, cpu))
    return min(results)

print(f"{'cluster':<26} {'netpol wall/cpu':>17} {'nca wall/cpu':>15} {'speed-up wall/cpu':>19}  goal")
missed = False
for pods, goal in ((200, 100), (1000, 300)):
    f = f"{out}/cluster-{pods}.yaml"
    ours = best(["target/release/netpol", "connectivity", f], 10)
    theirs = best(["target/nca-venv/bin/nca", "--connectivity", "-r", f, "-o", "txt_no_fw_rules"], nca_runs)
    wall_x, cpu_x = theirs[0] / ours[0], theirs[1] / max(ours[1], 1e-3)
    verdict = "ok" if wall_x >= goal else "MISSED"
    missed |= verdict != "ok"
    print(f"{f'{pods} pods / {pods // 2} policies':<26} {ours[0]:>7.3f}s/{ours[1]:>6.3f}s "
          f"{theirs[0]:>6.1f}s/{theirs[1]:>6.1f}s {wall_x:>8.0f}x/{cpu_x:>6.0f}x  >= {goal}x: {verdict}")
sys.exit(1 if missed else 0)
PY
