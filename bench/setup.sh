#!/usr/bin/env bash
# Idempotent install of what the CPU comparison benchmark (bench/cpu_models.sh) needs:
# Debian's PyTorch + torchvision with OpenBLAS (pthread flavour), numpy, and onnx
# (used only to check the export; torch.onnx.export itself does not need it).
# ONNX Runtime comes from NuGet when bench/OrtBench restores. PyPI is not used.
#   sudo bash bench/setup.sh      (root needed for apt-get)
set -euo pipefail
PKGS=(python3-torch python3-torchvision libopenblas0-pthread python3-numpy python3-onnx)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -q
  # python3-torchvision / python3-onnx are optional: fall back to what exists.
  avail=()
  for p in "${missing[@]}"; do
    if apt-cache show "$p" >/dev/null 2>&1; then avail+=("$p"); else echo "note: $p is not packaged here; skipping" >&2; fi
  done
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${avail[@]}"
fi

# Make sure the BLAS that torch links against resolves to OpenBLAS (pthread).
if command -v update-alternatives >/dev/null; then
  update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | sed -n 's/^Value: /libblas.so.3 -> /p' || true
fi
/usr/bin/python3 - <<'PY'
import torch, numpy
try:
    import torchvision; tv = torchvision.__version__
except ImportError:
    tv = "missing (needed for EfficientNet / MobileNetV2; bench/vit_model.py falls back to a plain-torch ViT-B/16)"
try:
    import onnx; ox = onnx.__version__
except ImportError:
    ox = "missing (export is not checked)"
print("torch", torch.__version__, "| torchvision", tv, "| numpy", numpy.__version__, "| onnx", ox)
PY
command -v dotnet >/dev/null && echo "dotnet $(dotnet --version)" || echo "warning: dotnet not found (needed for bench/OrtBench and HipVision)" >&2
