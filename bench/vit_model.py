"""ViT-B/16 builder shared by torch_cpu.py and export_onnx.py.

Uses torchvision.models.vit_b_16 (random init) when torchvision is importable
(Debian 12: python3-torchvision 0.14.1). Otherwise builds a structurally
identical model in plain torch: 16x16/stride-16 patch conv, class token,
learned position embedding, 12 pre-norm encoder layers (hidden 768, 12 heads,
MLP 3072 with exact GELU), LayerNorm eps 1e-6, linear head to 1000 classes.
Same parameter count (86,567,656) and FLOPs as torchvision's and HF ViT-B/16.
"""
import torch
from torch import nn


class _EncoderBlock(nn.Module):
    def __init__(self, hidden=768, heads=12, mlp=3072, eps=1e-6):
        super().__init__()
        self.ln_1 = nn.LayerNorm(hidden, eps=eps)
        self.self_attention = nn.MultiheadAttention(hidden, heads, batch_first=True)
        self.ln_2 = nn.LayerNorm(hidden, eps=eps)
        self.mlp = nn.Sequential(nn.Linear(hidden, mlp), nn.GELU(), nn.Linear(mlp, hidden))

    def forward(self, x):
        y = self.ln_1(x)
        y, _ = self.self_attention(y, y, y, need_weights=False)
        x = x + y
        return x + self.mlp(self.ln_2(x))


class PlainViTB16(nn.Module):
    def __init__(self, image_size=224, patch=16, layers=12, hidden=768, heads=12,
                 mlp=3072, num_classes=1000, eps=1e-6):
        super().__init__()
        self.patch = patch
        self.conv_proj = nn.Conv2d(3, hidden, kernel_size=patch, stride=patch)
        n = (image_size // patch) ** 2 + 1
        self.class_token = nn.Parameter(torch.zeros(1, 1, hidden))
        self.pos_embedding = nn.Parameter(torch.empty(1, n, hidden).normal_(std=0.02))
        self.layers = nn.Sequential(*[_EncoderBlock(hidden, heads, mlp, eps) for _ in range(layers)])
        self.ln = nn.LayerNorm(hidden, eps=eps)
        self.head = nn.Linear(hidden, num_classes)

    def forward(self, x):
        x = self.conv_proj(x)                      # (B, 768, 14, 14)
        x = x.flatten(2).transpose(1, 2)           # (B, 196, 768)
        cls = self.class_token.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos_embedding
        x = self.ln(self.layers(x))
        return self.head(x[:, 0])


def build_vit_b_16(prefer_torchvision=True):
    """Returns (model, source) with the model in eval mode, float32."""
    torch.manual_seed(0)
    if prefer_torchvision:
        try:
            from torchvision.models import vit_b_16
            model = vit_b_16(weights=None)
            # torchvision zero-initialises the classifier; give it small random weights so the
            # logits are non-trivial and ONNX Runtime / PyTorch outputs can be cross-checked.
            nn.init.normal_(model.heads.head.weight, std=0.02)
            nn.init.normal_(model.heads.head.bias, std=0.02)
            return model.eval().float(), "torchvision"
        except Exception:  # torchvision missing or too old
            pass
    return PlainViTB16().eval().float(), "plain-torch"
