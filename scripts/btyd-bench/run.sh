#!/usr/bin/env bash
# Side-by-side timing: `vetbot fit-btyd --models bgnbd,gg --per-customer` (release build)
# against the Python lifetimes library doing the same (lifetimes_bench.py), on CDNOW and on a
# 100k simulated summary (simulate_summary.py). Benchmark only; see BENCHMARKS.md.
#
#   VENV=/path/to/venv-with-lifetimes VETBOT=target/release/vetbot scripts/btyd-bench/run.sh WORKDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:?work directory}
venv=${VENV:?VENV: a virtual environment with lifetimes installed}
vetbot=${VETBOT:-$root/target/release/vetbot}
mkdir -p "$work"
[ -f "$work/sim100k.csv" ] || python3 "$here/simulate_summary.py" 100000 "$work/sim100k.csv" 42
TIMEFORMAT='wall %R s, cpu %U+%S s'
for data in "$root/testdata/cdnow/cdnow_customers_summary_with_transactions.csv" "$work/sim100k.csv"; do
  echo "== $(basename "$data")   load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  for run in 1 2; do
    echo "-- run $run: vetbot fit-btyd --models bgnbd,gg"
    time "$vetbot" fit-btyd "$data" --models bgnbd,gg --per-customer "$work/rust.csv" >/dev/null
    echo "-- run $run: lifetimes (whole process, imports included)"
    time "$venv/bin/python" "$here/lifetimes_bench.py" "$data" "$work/py.csv"
  done
  # The two per-customer outputs agree (P(alive), expected_39, clv): largest relative difference.
  python3 - "$work/rust.csv" "$work/py.csv" <<'PY'
import csv, sys
r = {row["ID"]: row for row in csv.DictReader(open(sys.argv[1]))}
worst = {}
for row in csv.DictReader(open(sys.argv[2])):
    for col in ("p_alive_bgnbd", "expected_39", "clv"):
        a, b = float(r[row["ID"]][col]), float(row[col])
        worst[col] = max(worst.get(col, 0.0), abs(a - b) / max(abs(b), 1e-6))
print("largest relative difference vetbot vs lifetimes:", {k: f"{v:.1e}" for k, v in worst.items()})
PY
done
