#!/usr/bin/env python3
"""Tables from bench/gpu_validate.sh's results.jsonl, in the Markdown of docs/gpu-validation.md and docs/perf.md:
the steps (rc, seconds), verify per precision, cold vs warm start, and HipVision beside PyTorch eager per model,
batch and precision (median and p90 ms, images/s, and PyTorch's median over HipVision's).

  python3 bench/gpu_summary.py gpu-out/results.jsonl > gpu-out/summary.md
"""
import json
import sys


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def fmt(v, digits=2):
    return "n/a" if v is None else f"{v:.{digits}f}"


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    records = load(sys.argv[1])
    print("## Steps\n\n| step | rc | status | s |\n| --- | ---: | --- | ---: |")
    for r in records:
        print(f"| {r['step']} | {r['rc']} | {r.get('status', 'ok' if r['rc'] == 0 else 'failed')} | {r['seconds']:.0f} |")

    print("\n## verify --backend hip\n\n| precision | device | passed | failed | skipped |\n| --- | --- | ---: | ---: | ---: |")
    for r in records:
        if r["step"].startswith("verify_"):
            v = r.get("result") if isinstance(r.get("result"), dict) else {}
            print(f"| {r['step'][7:]} | {v.get('device', 'n/a')} | {v.get('passed', 'n/a')} | {v.get('failed', 'n/a')} "
                  f"| {v.get('skipped', 'n/a')} |")
            for c in v.get("checks", []):
                if c.get("result") == "fail":
                    print(f"|   fail: {c.get('name')} {c.get('shape')} ({c.get('backend')} vs {c.get('reference')}) | | | | |")

    print("\n## Cold and warm start (batch 1, fp32; a fresh tuning cache, two processes)\n\n"
          "| process | model | tuning | plan build ms | load ms | median ms | convolutions |\n"
          "| --- | --- | --- | ---: | ---: | ---: | --- |")
    for r in records:
        if r["step"].startswith("coldwarm_") and isinstance(r.get("result"), dict):
            b = r["result"]
            convs = "; ".join(b.get("conv_algorithms", [])).replace("|", "\\|")
            print(f"| {r['step'][9:]} | {b.get('model')} | {b.get('tuning')} | {fmt(b.get('plan_build_ms'), 0)} "
                  f"| {fmt(b.get('load_ms'), 0)} | {fmt(b.get('median_ms'))} | {convs} |")

    hv, pt = {}, {}
    for r in records:
        res = r.get("result")
        if r["step"].startswith("bench_") and isinstance(res, dict):
            hv[(res.get("model"), res.get("batch"), res.get("precision", r["step"].rsplit("_", 1)[-1]))] = res
        if r["step"] == "torch" and isinstance(res, list):
            for t in res:
                pt[(t.get("model"), t.get("batch"), t.get("precision"))] = t
    keys = sorted(set(hv) | set(pt), key=lambda k: (str(k[0]), k[1] or 0, str(k[2])))
    device = next((v.get("device") for v in list(hv.values()) + list(pt.values()) if v.get("device")), "n/a")
    print(f"\n## HipVision beside PyTorch eager ({device})\n\n"
          "| model | batch | precision | HipVision median ms | p90 | images/s | PyTorch median ms | p90 | images/s "
          "| PyTorch / HipVision |\n| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for k in keys:
        h, t = hv.get(k, {}), pt.get(k, {})
        ratio = t["median_ms"] / h["median_ms"] if h.get("median_ms") and t.get("median_ms") else None
        print(f"| {k[0]} | {k[1]} | {k[2]} | {fmt(h.get('median_ms'))} | {fmt(h.get('p90_ms'))} | "
              f"{fmt(h.get('images_per_s'), 1)} | {fmt(t.get('median_ms'))} | {fmt(t.get('p90_ms'))} | "
              f"{fmt(t.get('images_per_s'), 1)} | {fmt(ratio)} |")
    errors = [t for t in pt.values() if "error" in t]
    for t in errors:
        print(f"\nPyTorch {t['model']} batch {t['batch']} {t['precision']}: {t['error']}")


if __name__ == "__main__":
    main()
