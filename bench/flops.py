#!/usr/bin/python3
"""FLOP counts of the bench models (FLOPs = 2 x multiply-adds), per image.

  /usr/bin/python3 bench/flops.py [--markdown]         # analytic breakdown of ViT-B/16 at 224x224
  /usr/bin/python3 bench/flops.py --all [--markdown]   # every bench/models.py model, counted from the
                                                       # torch module (models.count_macs) and checked
                                                       # against MODEL_GMAC below

Counts only the multiply-adds of convolutions (incl. depthwise), linear layers and attention
matmuls; BatchNorm, activations, squeeze-excite gating, pooling, LayerNorm, softmax, bias and
residual adds are elementwise and together add well under 1%.
This file does not import torch unless --all is given (summarize.py imports MODEL_GMAC).
"""
import sys

# GMAC per image at the model's input size, from models.count_macs() (flops.py --all recomputes
# them and fails if one drifts by more than 0.05%). torchvision's docs list the same figures
# as "GFLOPS" (they count multiply-adds): 0.39 B0, 37.75 B7, 0.30 MobileNetV2, 17.56 ViT-B/16;
# MobileNetV1 1.0/224 is the paper's 569 M mult-adds.
MODEL_GMAC = {
    "vit_b_16": 17.5638,
    "beit_b_16": 17.5638,          # ViT-B/16 + relative position bias add (not a MAC)
    "efficientnet_b0": 0.3858,     # 224
    "efficientnet_b1": 0.6868,     # 240
    "efficientnet_b2": 0.9936,     # 260
    "efficientnet_b3": 1.8271,     # 300
    "efficientnet_b4": 4.3938,     # 380
    "efficientnet_b5": 10.2664,    # 456
    "efficientnet_b6": 19.0676,    # 528
    "efficientnet_b7": 37.7459,    # 600
    "mobilenet_v1": 0.5687,        # 1001 classes
    "mobilenet_v2": 0.3008,
}

IMG, P, D, L, H, MLP, CLASSES = 224, 16, 768, 12, 12, 3072, 1000
PATCHES = (IMG // P) ** 2          # 196
N = PATCHES + 1                    # 197 tokens incl. class token


def breakdown():
    macs = [
        ("patch embed (conv 16x16/16, 3->768)", PATCHES * (3 * P * P) * D),
        ("QKV projections (12 x 197x768 @ 768x2304)", L * N * D * 3 * D),
        ("attention QK^T + softmax(.)V (12 x 2 x 197x197x768)", L * 2 * N * N * D),
        ("attention output proj (12 x 197x768 @ 768x768)", L * N * D * D),
        ("MLP fc1 + fc2 (12 x 2 x 197x768x3072)", L * 2 * N * D * MLP),
        ("head (class token 768 -> 1000)", D * CLASSES),
    ]
    return [(name, m, 2 * m) for name, m in macs]


def all_models(markdown):
    import os
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import models
    kinds = ["conv kxk", "conv depthwise", "conv 1x1", "linear", "attention matmul"]
    bad = []
    if markdown:
        print("| model | input | HipVision preset | GMAC | GFLOP | %s | params |" % " | ".join(kinds))
        print("|---|---:|---|---:|---:|%s---:|" % ("---:|" * len(kinds)))
    for name, spec in models.REGISTRY.items():
        model, size, _ = models.build(name)
        per = models.count_macs(model, size, per_type=True)
        tot = sum(per.values()) / 1e9
        params = sum(p.numel() for p in model.parameters()) / 1e6
        if abs(tot - MODEL_GMAC[name]) > 5e-4 * MODEL_GMAC[name]:
            bad.append("%s: counted %.4f GMAC, MODEL_GMAC says %.4f" % (name, tot, MODEL_GMAC[name]))
        shares = ["%.1f%%" % (100.0 * per.get(k, 0) / 1e9 / tot) if per.get(k) else "–" for k in kinds]
        if markdown:
            print("| %s | %d | %s | %.4f | %.3f | %s | %.2f M |" % (
                name, size, spec.arch or "(reference)", tot, 2 * tot, " | ".join(shares), params))
        else:
            print("%-16s %4d  %8.4f GMAC %8.3f GFLOP  %6.2f M params  %s" % (
                name, size, tot, 2 * tot, params, ", ".join("%s %s" % (k, v) for k, v in zip(kinds, shares) if v != "–")))
    for b in bad:
        print("MISMATCH " + b, file=sys.stderr)
    return 1 if bad else 0


def gflop(model_name):
    """GFLOP per image of a bench model (or HipVision preset) name; None if unknown."""
    name = model_name.replace("-", "_")
    aliases = {"vit_base_patch16_224": "vit_b_16", "beit_base_patch16_224": "beit_b_16",
               "mobilenet_v1_1.0_224": "mobilenet_v1"}
    name = aliases.get(name, name)
    return 2 * MODEL_GMAC[name] if name in MODEL_GMAC else None


def main():
    if "--all" in sys.argv:
        sys.exit(all_models("--markdown" in sys.argv))
    rows = breakdown()
    total = sum(f for _, _, f in rows)
    if "--markdown" in sys.argv:
        print("| part | GMAC | GFLOP | share |")
        print("|---|---:|---:|---:|")
        for name, m, f in rows:
            print("| %s | %.4f | %.4f | %.2f%% |" % (name, m / 1e9, f / 1e9, 100.0 * f / total))
        print("| **total per image** | **%.3f** | **%.3f** | 100%% |" % (total / 2e9, total / 1e9))
    else:
        for name, m, f in rows:
            print("%-55s %8.4f GFLOP (%5.2f%%)" % (name, f / 1e9, 100.0 * f / total))
        print("%-55s %8.4f GFLOP per image (%.3f GMAC)" % ("total", total / 1e9, total / 2e9))


def total_gflop():
    return sum(f for _, _, f in breakdown()) / 1e9


if __name__ == "__main__":
    main()
