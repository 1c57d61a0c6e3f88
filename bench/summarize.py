#!/usr/bin/python3
"""Turns the JSON lines written by cpu_models.sh / cpu_vit.sh into a Markdown table.

  /usr/bin/python3 bench/summarize.py bench/out/cpu_models-*.jsonl

Each input line is one engine run (one JSON object, as printed by torch_cpu.py, OrtBench
and `hipvision bench --json`; the runner adds "bench_model", "input_size" and "reference"),
or a {"engine":..,"model":..,"batch":..,"error":..} record for a run that failed or was not
attempted. When an (model, engine, batch) triple was run over several rounds, the table
shows the median over rounds of each statistic. Models appear in the order they were run.
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flops import gflop  # noqa: E402

ORDER = {"onnxruntime": 0, "pytorch": 1, "hipvision": 2}


def model_of(r):
    return r.get("bench_model") or r.get("model") or "vit_b_16"


def main(paths):
    runs, errors, models, info = {}, {}, [], {}
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                r = json.loads(line)
                m = model_of(r)
                if m not in models:
                    models.append(m)
                info.setdefault(m, {})
                for k in ("input_size", "reference"):
                    if r.get(k) is not None:
                        info[m].setdefault(k, r[k])
                key = (m, r.get("engine", "?"), int(r.get("batch", 0)))
                if "error" in r:
                    errors.setdefault(key, r["error"])
                elif "median_ms" in r:
                    runs.setdefault(key, []).append(r)

    def med(rs, field):
        vals = [float(r[field]) for r in rs if r.get(field) is not None]
        return statistics.median(vals) if vals else None

    def fmt(v, f="%.1f"):
        return f % v if v is not None else "–"

    print("| model | input | GMAC/image | batch | engine | median ms | p90 ms | min ms | images/s | GFLOP/s | median / ONNX Runtime | runs |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for m in models:
        gf = gflop(m)
        size = info[m].get("input_size")
        label = m + (" (reference)" if info[m].get("reference") else "")
        keys = [k for k in list(runs) + list(errors) if k[0] == m]
        batches = sorted({b for _, _, b in keys})
        engines = sorted({e for _, e, _ in keys}, key=lambda e: (ORDER.get(e, 9), e))
        for b in batches:
            ort = runs.get((m, "onnxruntime", b))
            ort_med = med(ort, "median_ms") if ort else None
            for e in engines:
                head = "| %s | %s | %s | %d | %s |" % (label, "%d²" % size if size else "–",
                                                     "%.3f" % (gf / 2) if gf else "?", b, e)
                rs = runs.get((m, e, b))
                if not rs:
                    if (m, e, b) in errors:
                        print(head + " – | – | – | – | – | – | not run: %s |" % errors[(m, e, b)])
                    continue
                med_ms = med(rs, "median_ms")
                ratio = "%.2f×" % (med_ms / ort_med) if ort_med else "–"
                gfs = "%.0f" % (gf * b / (med_ms / 1000.0)) if gf else "–"
                print(head + " %s | %s | %s | %.2f | %s | %s | %d |" % (
                    fmt(med_ms, "%.2f" if med_ms < 100 else "%.1f"), fmt(med(rs, "p90_ms"), "%.2f" if med_ms < 100 else "%.1f"),
                    fmt(med(rs, "min_ms"), "%.2f" if med_ms < 100 else "%.1f"), b * 1000.0 / med_ms, gfs, ratio, len(rs)))
    print()
    print("Ratio = engine median latency / ONNX Runtime median latency for the same model and batch "
          "(below 1 is faster than ONNX Runtime, above 1 slower). GMAC/image = multiply-adds of convolutions, "
          "linear layers and attention matmuls per image (bench/flops.py --all); "
          "GFLOP/s = 2 × GMAC/image × batch / median latency. "
          "(reference) = no HipVision preset; timed with ONNX Runtime and PyTorch only.")


if __name__ == "__main__":
    main(sys.argv[1:])
