#!/usr/bin/python3
"""Exports the ViT-B/16 used by torch_cpu.py to ONNX for ONNX Runtime.

  /usr/bin/python3 bench/export_onnx.py [--out bench/models/vit_b_16.onnx] [--opset 17]

Random init (seed 0), fp32, input "input" (batch, 3, 224, 224) with a dynamic
batch axis, output "logits" (batch, 1000). bench/models/ is git-ignored.
Checks the export with onnx.checker when python3-onnx is installed.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(here, "models", "vit_b_16.onnx"))
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--plain", action="store_true")
    args = ap.parse_args()

    import torch
    from vit_model import build_vit_b_16

    model, source = build_vit_b_16(prefer_torchvision=not args.plain)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    x = torch.zeros(1, 3, 224, 224)
    # Export with autograd ON: in torch 1.13, eval + no_grad makes nn.MultiheadAttention take
    # its fast path (aten::_native_multi_head_attention), which has no ONNX symbolic.
    with torch.enable_grad():
        torch.onnx.export(
            model, x, args.out,
            input_names=["input"], output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=args.opset, do_constant_folding=True,
        )
    try:
        import onnx
        onnx.checker.check_model(args.out)
        checked = "onnx.checker ok (onnx %s)" % onnx.__version__
    except ImportError:
        checked = "onnx not installed, not checked"
    size_mb = os.path.getsize(args.out) / 1e6
    print("exported %s ViT-B/16 to %s (opset %d, %.1f MB, torch %s); %s"
          % (source, args.out, args.opset, size_mb, torch.__version__, checked))


if __name__ == "__main__":
    main()
