#!/usr/bin/python3
"""Exports bench models (bench/models.py) to ONNX for ONNX Runtime (bench/OrtBench).

  /usr/bin/python3 bench/export_onnx.py                          # vit_b_16 -> bench/models/vit_b_16.onnx
  /usr/bin/python3 bench/export_onnx.py --model efficientnet_b7  # -> bench/models/efficientnet_b7.onnx
  /usr/bin/python3 bench/export_onnx.py --model a,b,c            # several (or --model all)

Same module and random init (seed 0) as torch_cpu.py, fp32, opset 17, input "input"
(batch, 3, S, S) with a dynamic batch axis and S the model's input size, output "logits"
(batch, classes). bench/models/ is git-ignored. Checks the export with onnx.checker when
python3-onnx is installed.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def export(name, out, opset, plain=False):
    import torch
    import models

    if plain and name == "vit_b_16":
        from vit_model import build_vit_b_16
        model, source = build_vit_b_16(prefer_torchvision=False)
        size = 224
    else:
        model, size, source = models.build(name)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    x = torch.zeros(1, 3, size, size)
    tmp = out + ".tmp"
    # Export with autograd ON: in torch 1.13, eval + no_grad makes nn.MultiheadAttention take
    # its fast path (aten::_native_multi_head_attention), which has no ONNX symbolic.
    with torch.enable_grad():
        torch.onnx.export(
            model, x, tmp,
            input_names=["input"], output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=opset, do_constant_folding=True,
        )
    try:
        import onnx
        onnx.checker.check_model(tmp)
        checked = "onnx.checker ok (onnx %s)" % onnx.__version__
    except ImportError:
        checked = "onnx not installed, not checked"
    os.replace(tmp, out)   # a killed export never leaves a half-written model behind
    size_mb = os.path.getsize(out) / 1e6
    print("exported %s %s (%dx%d) to %s (opset %d, %.1f MB, torch %s); %s"
          % (source, name, size, size, out, opset, size_mb, torch.__version__, checked), flush=True)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="vit_b_16", help="bench/models.py name(s), comma-separated, or 'all'")
    ap.add_argument("--out", default=None, help="output file (one model only); default bench/models/NAME.onnx")
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--plain", action="store_true", help="vit_b_16 only: plain-torch ViT instead of torchvision's")
    args = ap.parse_args()

    import models
    names = list(models.REGISTRY) if args.model == "all" else [models.get(n).name for n in args.model.split(",")]
    if args.out and len(names) > 1:
        ap.error("--out needs a single --model")
    for name in names:
        export(name, args.out or os.path.join(here, "models", name + ".onnx"), args.opset, args.plain)


if __name__ == "__main__":
    main()
