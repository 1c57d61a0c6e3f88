"""Model registry of the CPU comparison benchmark (bench/cpu_models.sh).

Every entry is a PyTorch module FLOP-equivalent to one HipVision preset (the HF hub model
of the same name): same layers, same channel counts, same feature-map sizes, so the same
multiply-adds. Weights are random (seed 0); nothing is downloaded.

  /usr/bin/python3 bench/models.py                 # list the registry (name, input, preset, GMAC)
  /usr/bin/python3 bench/models.py --info NAME     # "size hipvision_arch reference gmac" (used by the runner)
  /usr/bin/python3 bench/models.py --describe NAME # feature-map sizes / channels of each stage

| name            | HipVision preset (HF hub id)                           | PyTorch module                         |
|-----------------|--------------------------------------------------------|----------------------------------------|
| vit_b_16        | vit-base-patch16-224 (google/vit-base-patch16-224)     | torchvision vit_b_16                   |
| beit_b_16       | beit-base-patch16-224 (microsoft/beit-base-patch16-224)| plain torch (below)                    |
| efficientnet_bN | efficientnet-bN (google/efficientnet-bN), N = 0..7     | torchvision efficientnet_bN            |
| mobilenet_v1    | mobilenet_v1_1.0_224 (google/mobilenet_v1_1.0_224)     | plain torch (below)                    |
| mobilenet_v2    | none: reference point only (quoted in the issue)       | torchvision mobilenet_v2               |

How each relates to the HF model (see bench/README.md for the long form):

* EfficientNet-B0..B7: torchvision's and HF's (a port of Keras' EfficientNet) have the same
  MBConv stages (expand 1x1 -> depthwise kxk -> squeeze-excite with in_dim/4 channels ->
  project 1x1, stage repeats ceil(depth_coef x r), channels rounded to multiples of 8 with
  the same rule), swish (SiLU) everywhere, BatchNorm eps 1e-3, top 1x1 conv to 4 x 320 x
  width channels, global mean pool, linear to 1000 classes. They differ only in padding:
  HF pads stride-2 convolutions like TF "SAME" (ZeroPad2d one more on the bottom/right,
  then a "valid" conv; its `depthwise_padding` list switches to symmetric padding exactly
  where TF SAME is symmetric, e.g. block 18 of B7, 75x75 -> 38x38), torchvision pads
  symmetrically ((k-1)/2). Output sizes are the same at every layer (checked for B0 at 224
  and B7 at 600 with --describe), so the FLOPs are identical; the border values differ.
* MobileNetV1 1.0/224: HF's layout (TF-slim): stem 3x3/2 conv 3->32, 13 depthwise-separable
  blocks (dw 3x3 + BN + ReLU6, pw 1x1 + BN + ReLU6) with channels 64,128,128,256,256,
  512 x 6,1024,1024 and strides 1,2,1,2,1,2,1,1,1,1,1,2,1, no conv bias, BN eps 1e-3, global
  mean pool, linear 1024 -> 1001 classes (class 0 = "background"). HF uses TF SAME padding
  (`tf_padding=True`); here it is replaced by symmetric padding 1, which gives the same
  output sizes at 224x224 (all stride-2 inputs are even), hence the same FLOPs.
* BEiT-B/16 (microsoft/beit-base-patch16-224): ViT-B/16 (patch conv 16/16, class token,
  12 pre-norm layers, hidden 768, 12 heads, MLP 3072, exact GELU) without absolute position
  embeddings but with a learned relative position bias per layer ((2x14-1)^2 + 3 = 732 x 12
  table gathered into a 12 x 197 x 197 bias added to the attention scores), key projection
  without bias, layer scale (lambda_1, lambda_2 = learned per-channel scales, init 0.1) on
  both residual branches, LayerNorm eps 1e-12, no final encoder LayerNorm, mean pooling of
  the 196 patch tokens + LayerNorm, linear 768 -> 1000. FLOP-equivalent to ViT-B/16 plus
  the bias add (and the layer-scale multiplies).
* ViT-B/16: see vit_model.py.
* MobileNetV2 (torchvision, 1.0/224, 1000 classes): there is no HipVision preset; it is
  timed with ONNX Runtime and PyTorch only, as the reference point the issue quotes.
"""
import math
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # vit_model.py

# ---------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------

# EfficientNet: (width, depth, resolution) of B0..B7, the same in torchvision, HF and Keras.
EFFNET = {
    "b0": (1.0, 1.0, 224), "b1": (1.0, 1.1, 240), "b2": (1.1, 1.2, 260), "b3": (1.2, 1.4, 300),
    "b4": (1.4, 1.8, 380), "b5": (1.6, 2.2, 456), "b6": (1.8, 2.6, 528), "b7": (2.0, 3.1, 600),
}

# HF EfficientNetConfig.depthwise_padding of google/efficientnet-bN (from HF's conversion
# script): indices of the blocks whose stride-2 depthwise conv pads symmetrically instead of
# TF-SAME-style (one more zero at the bottom/right). Used only by hf_effnet_sizes().
HF_DW_PADDING = {"b0": [], "b1": [16], "b2": [5, 8, 16], "b3": [5, 18], "b4": [6],
                 "b5": [13, 27], "b6": [31], "b7": [18]}
# (kernel, stride, repeats) of the 7 MBConv stages before depth scaling (all implementations).
EFFNET_STAGES = [(3, 1, 1), (3, 2, 2), (5, 2, 2), (3, 2, 3), (5, 1, 3), (5, 2, 4), (3, 1, 1)]


def hf_effnet_sizes(b):
    """Feature-map side after the stem and after every MBConv block, as HF computes it."""
    _, depth, res = EFFNET[b]
    h = (res + 1 - 3) // 2 + 1                        # ZeroPad2d((0,1,0,1)) + 3x3/2 valid
    sizes, block = [h], 0
    for k, stride, reps in EFFNET_STAGES:
        for j in range(int(math.ceil(depth * reps))):
            if j == 0 and stride == 2:
                lo = k // 2 if block in HF_DW_PADDING[b] else k // 2 - 1   # correct_pad(k, adjust)
                h = (h + lo + k // 2 - k) // 2 + 1
            sizes.append(h)
            block += 1
    return sizes


# Multiply-adds per image (GMAC): the constants live in flops.py (torch-free, for summarize.py).
from flops import MODEL_GMAC as GMAC  # noqa: E402


class Spec:
    def __init__(self, name, size, arch, build, desc, reference=False):
        self.name, self.size, self.arch, self.build, self.desc, self.reference = name, size, arch, build, desc, reference


def _registry():
    r = {
        "vit_b_16": Spec("vit_b_16", 224, "vit-base-patch16-224", _build_vit,
                         "ViT-B/16 (torchvision vit_b_16)"),
        "beit_b_16": Spec("beit_b_16", 224, "beit-base-patch16-224", _build_beit,
                          "BEiT-B/16 (plain torch, HF layout)"),
        "mobilenet_v1": Spec("mobilenet_v1", 224, "mobilenet_v1_1.0_224", _build_mobilenet_v1,
                             "MobileNetV1 1.0 (plain torch, HF/TF layout, 1001 classes)"),
        "mobilenet_v2": Spec("mobilenet_v2", 224, None, _build_mobilenet_v2,
                             "MobileNetV2 1.0 (torchvision; reference, no HipVision preset)", reference=True),
    }
    for b, (_, _, res) in EFFNET.items():
        r["efficientnet_" + b] = Spec("efficientnet_" + b, res, "efficientnet-" + b,
                                      (lambda b=b: _build_effnet(b)),
                                      "EfficientNet-%s (torchvision efficientnet_%s)" % (b.upper(), b))
    return r


def get(name):
    """Spec of a registry name; also accepts the HipVision preset name (efficientnet-b0, ...)."""
    if name in REGISTRY:
        return REGISTRY[name]
    for s in REGISTRY.values():
        if s.arch == name:
            return s
    raise KeyError("unknown model %r (known: %s)" % (name, ", ".join(REGISTRY)))


def build(name):
    """Returns (model in eval mode, fp32, seeded; input size; source string)."""
    spec = get(name)
    torch.manual_seed(0)
    model, source = spec.build()
    return model.eval().float(), spec.size, source


# ---------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------

def _build_vit():
    from vit_model import build_vit_b_16
    return build_vit_b_16()


def _randomise_classifier(linear):
    # torchvision zero-initialises some classifiers (ViT) or uses tiny ranges; small random
    # weights keep the logits non-trivial for the ORT / PyTorch cross-check.
    nn.init.normal_(linear.weight, std=0.02)
    nn.init.normal_(linear.bias, std=0.02)


def _build_effnet(b):
    import torchvision.models as tvm
    model = getattr(tvm, "efficientnet_" + b)(weights=None)
    _randomise_classifier(model.classifier[-1])
    _randomise_bn(model)
    return model, "torchvision"


def _build_mobilenet_v2():
    from torchvision.models import mobilenet_v2
    model = mobilenet_v2(weights=None)
    _randomise_classifier(model.classifier[-1])
    _randomise_bn(model)
    return model, "torchvision"


def _randomise_bn(model):
    # Fresh BatchNorm (mean 0, var 1, gamma 1, beta 0) is an identity; random statistics make
    # the cross-check meaningful. Eval mode: BN is a per-channel affine map either way.
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(n, generator=g) * 0.5 + 0.75)
            m.weight.data.copy_(torch.rand(n, generator=g) * 0.5 + 0.75)
            m.bias.data.copy_(torch.randn(n, generator=g) * 0.1)


# ---------------------------------------------------------------------------------------
# MobileNetV1 1.0/224, HF (TF-slim) layout
# ---------------------------------------------------------------------------------------

def _conv_bn_relu6(cin, cout, k, stride, groups=1, eps=1e-3):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout, eps=eps),
        nn.ReLU6(inplace=True),
    )


class MobileNetV1(nn.Module):
    # (out_channels, stride) of the 13 depthwise-separable blocks.
    BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
              (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]

    def __init__(self, num_classes=1001, alpha=1.0, min_depth=8):
        super().__init__()
        ch = lambda c: max(int(c * alpha), min_depth)  # noqa: E731 (HF: max(int(depth * multiplier), min_depth))
        cin = ch(32)
        layers = [_conv_bn_relu6(3, cin, 3, 2)]
        for cout, s in self.BLOCKS:
            cout = ch(cout)
            layers.append(_conv_bn_relu6(cin, cin, 3, s, groups=cin))   # depthwise 3x3
            layers.append(_conv_bn_relu6(cin, cout, 1, 1))              # pointwise 1x1
            cin = cout
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(cin, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
        _randomise_classifier(self.classifier)

    def forward(self, x):
        return self.classifier(self.pool(self.features(x)).flatten(1))


# ---------------------------------------------------------------------------------------
# BEiT-B/16, HF layout (microsoft/beit-base-patch16-224)
# ---------------------------------------------------------------------------------------

class MatMul(nn.Module):
    """a @ b as a module, so that count_macs() sees the attention products."""

    def forward(self, a, b):
        return torch.matmul(a, b)


def relative_position_index(grid):
    """HF BeitRelativePositionBias's index: (grid^2 + 1) x (grid^2 + 1) into a (2g-1)^2 + 3 table."""
    coords = torch.stack(torch.meshgrid(torch.arange(grid), torch.arange(grid), indexing="ij"))
    flat = coords.flatten(1)
    rel = (flat[:, :, None] - flat[:, None, :]).permute(1, 2, 0).contiguous()
    rel[:, :, 0] += grid - 1
    rel[:, :, 1] += grid - 1
    rel[:, :, 0] *= 2 * grid - 1
    n_rel = (2 * grid - 1) ** 2 + 3
    idx = torch.zeros(grid * grid + 1, grid * grid + 1, dtype=torch.long)
    idx[1:, 1:] = rel.sum(-1)
    idx[0, 0:] = n_rel - 3   # class token -> patch
    idx[0:, 0] = n_rel - 2   # patch -> class token
    idx[0, 0] = n_rel - 1    # class token -> class token
    return idx, n_rel


class BEiTLayer(nn.Module):
    def __init__(self, grid, hidden=768, heads=12, mlp=3072, eps=1e-12, layer_scale=0.1):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.layernorm_before = nn.LayerNorm(hidden, eps=eps)
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden, bias=False)
        self.value = nn.Linear(hidden, hidden)
        self.attn_output = nn.Linear(hidden, hidden)
        idx, n_rel = relative_position_index(grid)
        self.relative_position_bias_table = nn.Parameter(torch.randn(n_rel, heads) * 0.02)
        self.register_buffer("relative_position_index", idx, persistent=False)
        self.qk = MatMul()
        self.pv = MatMul()
        self.lambda_1 = nn.Parameter(torch.full((hidden,), layer_scale))
        self.layernorm_after = nn.LayerNorm(hidden, eps=eps)
        self.fc1 = nn.Linear(hidden, mlp)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(mlp, hidden)
        self.lambda_2 = nn.Parameter(torch.full((hidden,), layer_scale))

    def _split(self, t):
        b, n, _ = t.shape
        return t.view(b, n, self.heads, self.head_dim).transpose(1, 2)   # (B, H, N, d)

    def forward(self, x):
        b, n, c = x.shape
        h = self.layernorm_before(x)
        q = self._split(self.query(h)) * (self.head_dim ** -0.5)
        k = self._split(self.key(h))
        v = self._split(self.value(h))
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)]
        bias = bias.view(n, n, self.heads).permute(2, 0, 1)               # (H, N, N)
        scores = self.qk(q, k.transpose(-2, -1)) + bias.unsqueeze(0)
        ctx = self.pv(scores.softmax(dim=-1), v).transpose(1, 2).reshape(b, n, c)
        x = x + self.lambda_1 * self.attn_output(ctx)
        return x + self.lambda_2 * self.fc2(self.act(self.fc1(self.layernorm_after(x))))


class BEiT(nn.Module):
    def __init__(self, image_size=224, patch=16, layers=12, hidden=768, heads=12, mlp=3072,
                 num_classes=1000, eps=1e-12):
        super().__init__()
        grid = image_size // patch
        self.patch_embed = nn.Conv2d(3, hidden, kernel_size=patch, stride=patch)
        self.cls_token = nn.Parameter(torch.randn(1, 1, hidden) * 0.02)
        self.layers = nn.Sequential(*[BEiTLayer(grid, hidden, heads, mlp, eps) for _ in range(layers)])
        self.pool_norm = nn.LayerNorm(hidden, eps=eps)    # HF BeitPooler (use_mean_pooling=True)
        self.classifier = nn.Linear(hidden, num_classes)
        _randomise_classifier(self.classifier)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2)            # (B, 196, 768)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1)
        x = self.layers(x)
        return self.classifier(self.pool_norm(x[:, 1:].mean(dim=1)))


def _build_mobilenet_v1():
    model = MobileNetV1()
    _randomise_bn(model)
    return model, "plain-torch"


def _build_beit():
    return BEiT(), "plain-torch"


REGISTRY = _registry()


# ---------------------------------------------------------------------------------------
# MAC counter (forward hooks; no thop / fvcore)
# ---------------------------------------------------------------------------------------

def count_macs(model, size, batch=1, per_type=False):
    """Multiply-adds of one forward pass, per image: Conv2d (incl. depthwise/grouped),
    Linear, nn.MultiheadAttention (QKV + QK^T + PV + output projection) and MatMul.
    Not counted: BatchNorm, activations, SE gating multiply, pooling, softmax, LayerNorm,
    bias and residual adds (elementwise, well under 1% of the MACs of every model here)."""
    totals = {}

    def add(kind, n):
        totals[kind] = totals.get(kind, 0) + n

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            kh, kw = m.kernel_size
            kind = "conv depthwise" if m.groups > 1 and m.groups == m.in_channels else (
                "conv 1x1" if (kh, kw) == (1, 1) else "conv kxk")
            add(kind, out.numel() * (m.in_channels // m.groups) * kh * kw)
        elif isinstance(m, nn.Linear):
            add("linear", out.numel() * m.in_features)
        elif isinstance(m, nn.MultiheadAttention):
            o = out[0]   # attention output, same shape as the query (inputs may be keyword args)
            bsz, n, d = o.shape if m.batch_first else (o.shape[1], o.shape[0], o.shape[2])
            add("linear", bsz * (n * d * 3 * d + n * d * d))     # in_proj + out_proj
            add("attention matmul", bsz * 2 * n * n * d)          # QK^T and PV
        elif isinstance(m, MatMul):
            add("attention matmul", out.numel() * inp[0].shape[-1])

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (nn.Conv2d, nn.Linear, nn.MultiheadAttention, MatMul))]
    try:
        with torch.no_grad():
            model(torch.zeros(batch, 3, size, size))
    finally:
        for h in handles:
            h.remove()
    per_image = {k: v / batch for k, v in totals.items()}
    return per_image if per_type else sum(per_image.values())


def torchvision_effnet_sizes(model, size):
    """Feature-map side after the stem and after every MBConv block of a torchvision EfficientNet."""
    sizes = []
    hooks = [model.features[0].register_forward_hook(lambda m, i, o: sizes.append(o.shape[-1]))]
    for stage in model.features[1:-1]:
        for blk in stage:
            hooks.append(blk.register_forward_hook(lambda m, i, o: sizes.append(o.shape[-1])))
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    for h in hooks:
        h.remove()
    return sizes


def describe(name):
    """Prints output shape of every top-level feature stage (EfficientNet / MobileNet); for
    EfficientNet also checks every block's output size against HF's padding rule."""
    model, size, source = build(name)
    if name.startswith("efficientnet_"):
        tv, hf = torchvision_effnet_sizes(model, size), hf_effnet_sizes(name[-2:])
        print("%s: block output sizes torchvision == HF: %s (%d blocks; %s)"
              % (name, tv == hf, len(tv) - 1, sorted(set(tv), reverse=True)))
    x = torch.zeros(1, 3, size, size)
    print("%s (%s), input %dx%d" % (name, source, size, size))
    feats = getattr(model, "features", None)
    if feats is None:
        print("  no 'features' stack (transformer)")
        return
    with torch.no_grad():
        for i, stage in enumerate(feats):
            x = stage(x)
            n = len(stage) if isinstance(stage, nn.Sequential) and not isinstance(stage[0], nn.Conv2d) else 1
            print("  stage %2d: %d block(s) -> %s" % (i, n, tuple(x.shape[1:])))


def main(argv):
    if len(argv) >= 2 and argv[0] == "--info":
        s = get(argv[1])
        print(s.size, s.arch or "-", 1 if s.reference else 0, GMAC.get(s.name, 0))
        return
    if len(argv) >= 2 and argv[0] == "--describe":
        describe(argv[1])
        return
    if argv and argv[0] == "--names":
        print(" ".join(REGISTRY))
        return
    print("%-16s %5s  %-24s %8s  %s" % ("name", "input", "HipVision preset", "GMAC", "module"))
    for s in REGISTRY.values():
        print("%-16s %5d  %-24s %8.4f  %s" % (s.name, s.size, s.arch or "(reference only)", GMAC[s.name], s.desc))


if __name__ == "__main__":
    main(sys.argv[1:])
