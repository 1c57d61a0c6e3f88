#!/usr/bin/python3
"""FLOP count of ViT-B/16 at 224x224 (FLOPs = 2 x multiply-adds), per image.

  /usr/bin/python3 bench/flops.py [--markdown]

Counts only the matrix products (conv/linear/attention matmuls); LayerNorm,
GELU, softmax, bias adds and residual adds are O(N*D) and together add < 0.5%.
"""
import sys

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


def main():
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
