#!/usr/bin/python3
"""Turns the JSON lines written by cpu_vit.sh into a Markdown table.

  /usr/bin/python3 bench/summarize.py bench/out/cpu_vit-*.jsonl

Each input line is one engine run (one JSON object, as printed by torch_cpu.py,
OrtBench and `hipvision bench --json`), or a {"engine":..,"batch":..,"error":..}
record for a run that failed. When an (engine, batch) pair was run over several
rounds, the table shows the median over rounds of each statistic.
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flops import total_gflop  # noqa: E402

GFLOP = {"vit_b_16": total_gflop(), "vit-base-patch16-224": total_gflop()}

ORDER = {"onnxruntime": 0, "pytorch": 1, "hipvision": 2}


def main(paths):
    runs, errors = {}, {}
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                r = json.loads(line)
                key = (r.get("engine", "?"), int(r.get("batch", 0)))
                if "error" in r:
                    errors.setdefault(key, r["error"])
                elif "median_ms" in r:
                    runs.setdefault(key, []).append(r)

    def med(rs, field):
        vals = [float(r[field]) for r in rs if field in r and r[field] is not None]
        return statistics.median(vals) if vals else None

    batches = sorted({b for _, b in list(runs) + list(errors)})
    engines = sorted({e for e, _ in list(runs) + list(errors)}, key=lambda e: (ORDER.get(e, 9), e))
    print("| engine | batch | median ms | p90 ms | min ms | images/s | GFLOP/s | median / ONNX Runtime | runs |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for b in batches:
        ort = runs.get(("onnxruntime", b))
        ort_med = med(ort, "median_ms") if ort else None
        for e in engines:
            rs = runs.get((e, b))
            if not rs:
                if (e, b) in errors:
                    print("| %s | %d | – | – | – | – | – | – | not run: %s |" % (e, b, errors[(e, b)]))
                continue
            m = med(rs, "median_ms")
            ratio = "%.2f×" % (m / ort_med) if ort_med else "–"
            gf = GFLOP.get(rs[0].get("model", "vit_b_16"), total_gflop())
            print("| %s | %d | %.1f | %.1f | %.1f | %.2f | %.0f | %s | %d |" % (
                e, b, m, med(rs, "p90_ms"), med(rs, "min_ms"), b * 1000.0 / m, gf * b / (m / 1000.0), ratio, len(rs)))
    print()
    print("Ratio = engine median latency / ONNX Runtime median latency at the same batch "
          "(below 1 is faster than ONNX Runtime, above 1 slower). "
          "GFLOP/s = %.2f GFLOP per image x batch / median latency (matmul FLOPs, bench/flops.py)." % total_gflop())


if __name__ == "__main__":
    main(sys.argv[1:])
