#!/usr/bin/env bash
# Whole-process budgets of `netpol matrix -o json` with 2 ports (8080/TCP, 53/UDP) on the
# realistic synthetic clusters of crates/netpol/examples/synthetic_cluster.rs (one policy per
# two pods, every pod with an IP, the docs' namespace-default with its ipBlock in every
# namespace, one Deployment per ten pods: `synthetic_cluster PODS NAMESPACES ips`):
#   1,000 pods / 50 namespaces    ≤ 60 ms
#   5,000 pods / 200 namespaces   ≤ 500 ms
#   20,000 pods / 500 namespaces  completes under `ulimit -v 2097152` (2 GiB of address space)
# Each figure is the best wall-clock time of several runs of the whole process started from
# here (start-up, loading, computing and writing to /dev/null), with its CPU time (user + sys)
# and peak memory. On a busy machine wall time exceeds CPU time; compare quiet runs.
# For the split into loading / computing / formatting see `cargo bench -p netpol --bench
# matrix` (groups load, matrix-2-ports, render-matrix-json-2-ports). Not part of the test run.
#
#   scripts/bench-cli.sh          all three sizes
#   scripts/bench-cli.sh 1000     only the named sizes (1000, 5000, 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench-cli
mkdir -p "$out"
cargo build --release -q -p netpol-cli
cargo build --release -q -p netpol --example synthetic_cluster
[ $# -gt 0 ] || set -- 1000 5000 20000
sizes=("$@")
for pods in "${sizes[@]}"; do
  case $pods in
    1000) namespaces=50 ;;
    5000) namespaces=200 ;;
    20000) namespaces=500 ;;
    *) echo "bench-cli.sh: unknown size $pods (1000, 5000, 20000)" >&2; exit 2 ;;
  esac
  f="$out/cluster-$pods-ips.yaml"
  [ -s "$f" ] || target/release/examples/synthetic_cluster "$pods" "$namespaces" ips > "$f"
done
python3 - "$out" "${sizes[@]}" <<'PY'
import resource, subprocess, sys, time

out, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
# pods: (runs, budget in seconds or None, address-space limit in bytes or None)
plans = {1000: (10, 0.060, None), 5000: (5, 0.500, None), 20000: (1, None, 2097152 * 1024)}

def run(cmd, limit):
    def cap():
        if limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=cap)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return p.returncode, wall, cpu, after.ru_maxrss, p.stderr.decode(errors="replace").strip()

print(f"{'netpol matrix -o json, 2 ports':<44} {'wall':>9} {'cpu':>9} {'peak RSS':>10}  budget")
failed = False
for pods in sizes:
    runs, budget, limit = plans[pods]
    cmd = ["target/release/netpol", "matrix", f"{out}/cluster-{pods}-ips.yaml",
           "--port", "8080/TCP", "--port", "53/UDP", "-o", "json"]
    results = [run(cmd, limit) for _ in range(runs)]
    code, wall, cpu, rss, err = min(results, key=lambda r: r[1])
    if any(r[0] != 0 for r in results):
        bad = next(r for r in results if r[0] != 0)
        verdict = f"FAILED (exit {bad[0]}): {bad[4][:200]}"
    elif budget is not None:
        verdict = f"≤ {budget * 1000:.0f} ms: " + ("ok" if wall <= budget else "OVER")
    else:
        verdict = "completes under ulimit -v 2097152: ok"
    failed |= "ok" not in verdict
    label = f"{pods:,} pods" + (f", ulimit -v 2097152" if limit else "") + f" (best of {runs})"
    print(f"{label:<44} {wall * 1000:>7.0f}ms {cpu * 1000:>7.0f}ms {rss / 1024:>8.0f}MB  {verdict}")
sys.exit(1 if failed else 0)
PY
