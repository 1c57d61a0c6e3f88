using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using HipVision.Graph;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// Depthwise convolution (groups = C = O, weight [C, 1, kh, kw], dilation 1): MobileNet's 3×3 and EfficientNet's
/// 3×3/5×5, any stride, any 4-sided padding (TF "SAME" arrives here already resolved to explicit sides).
/// Math, per plane (b, c):
///   y[oy, ox] = bias[c] + Σ_{ky, kx} W[c, ky, kx] · x[oy·sh − top + ky, ox·sw − left + kx]   (zero outside x)
/// Geometry: one work item per (b, c) plane, so a plane's input stays in L1/L2 while all of its rows are made.
///   Per output row the taps (ky, kx) whose input row exists are collected once as (row pointer, weight); rows
///   outside x simply contribute no taps, so top/bottom borders need no separate code.
///   Interior columns [oxLo, oxEnd) — every kx reads inside [0, w) — are vectorised over output columns:
///   2×Vector512 (32 outputs, two independent FMA chains), then Vector512, Vector256, scalar; each output is
///   written once (bias + all taps in registers). Border columns (at most ⌈left/sw⌉ and ⌈right/sw⌉ of them) are
///   scalar with bounds checks.
///   Stride sw > 1: the plane is first split into sw column phases, P_r[iy, j] = x[iy, sw·j + r] (AVX-512/AVX2
///   deinterleave for sw = 2). Tap kx, with t = kx − left, then reads P_{t mod sw}[iy, ox + ⌊t/sw⌋]: a unit-stride
///   load again, so the stride-1 row loop serves every stride. Stride 1 reads x in place.
/// Accumulates in float with FMA; the order (bias, then taps row-major) differs from the im2col path only in rounding.
/// Reference: tests/HipVision.Tests/Reference/RefOps.Conv.cs Conv2d (float64). Other grouped convs: GroupedConv2dStep.
/// </summary>
internal sealed unsafe class DepthwiseConv2dStep(string name, CpuTensor x, CpuTensor weight, nint bias, CpuTensor y, Conv2dAttributes a, int threads)
    : CpuStep(name, "Conv2d(depthwise)")
{
    /// <summary>Largest kernel area handled (the per-row tap list lives on the stack).</summary>
    const int MaxTaps = 121;

    /// <summary>True for the convolutions this step computes: depthwise (one input channel per output channel), dilation 1.</summary>
    public static bool Supports(Node conv)
    {
        var a = conv.Attr<Conv2dAttributes>();
        var w = conv.Inputs[1].Shape;
        int c = conv.Inputs[0].Shape[1];
        return a.Groups == c && conv.Shape[1] == c && w[1] == 1 && a.DilationH == 1 && a.DilationW == 1 && w[2] * w[3] <= MaxTaps;
    }

    public override void Run()
    {
        CpuParallel.For(threads, x.Shape[0] * x.Shape[1], Plane);
    }

    void Plane(int plane)
    {
        int h = x.Shape[2], w = x.Shape[3], sw = a.StrideW;
        float* src = x.Pointer + (long)plane * h * w;
        if (sw == 1)
        {
            Compute(plane, src, w);
            return;
        }
        int phaseW = (w + sw - 1) / sw;
        var phases = ArrayPool<float>.Shared.Rent(sw * h * phaseW);
        fixed (float* p = phases)
        {
            SplitPhases(src, h, w, sw, p, phaseW);
            Compute(plane, p, phaseW);
        }
        ArrayPool<float>.Shared.Return(phases);
    }

    /// <summary>
    /// Computes one output plane from <paramref name="phases"/>: sw blocks of h rows of <paramref name="phaseW"/>
    /// floats (for stride 1, the input plane itself with phaseW = w).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void Compute(int plane, float* phases, int phaseW)
    {
        int c = x.Shape[1], h = x.Shape[2], w = x.Shape[3], oh = y.Shape[2], ow = y.Shape[3];
        int kh = weight.Shape[2], kw = weight.Shape[3], sh = a.StrideH, sw = a.StrideW, top = a.Padding.Top, left = a.Padding.Left;
        int ch = plane % c;
        float* src = x.Pointer + (long)plane * h * w;
        float* dst = y.Pointer + (long)plane * oh * ow;
        float* kern = weight.Pointer + (long)ch * kh * kw;
        float b = bias == 0 ? 0f : ((float*)bias)[ch];

        // Interior: ox·sw − left ≥ 0 and ox·sw − left + kw − 1 ≤ w − 1.
        int oxLo = Math.Min(ow, (left + sw - 1) / sw);
        int span = w - 1 + left - (kw - 1);
        int oxEnd = span < 0 ? oxLo : Math.Clamp(span / sw + 1, oxLo, ow);

        float** taps = stackalloc float*[kh * kw];
        float* tapWeights = stackalloc float[kh * kw];
        for (int oy = 0; oy < oh; oy++)
        {
            int iy0 = oy * sh - top, n = 0;
            for (int ky = 0; ky < kh; ky++)
            {
                int iy = iy0 + ky;
                if ((uint)iy >= (uint)h) continue;
                for (int kx = 0; kx < kw; kx++)
                {
                    int t = kx - left;
                    int r = ((t % sw) + sw) % sw, m = (t - r) / sw;
                    taps[n] = phases + ((long)r * h + iy) * phaseW + m;
                    tapWeights[n++] = kern[ky * kw + kx];
                }
            }
            float* drow = dst + (long)oy * ow;
            InteriorRow(drow, taps, tapWeights, n, oxLo, oxEnd, b);
            BorderColumns(drow, src, kern, 0, oxLo, iy0, b);
            BorderColumns(drow, src, kern, oxEnd, ow, iy0, b);
        }
    }

    /// <summary>y[ox] = b + Σ_t weight_t · tap_t[ox] for ox in [from, end): every tap is a unit-stride row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void InteriorRow(float* y, float** taps, float* weights, int n, int from, int end, float b)
    {
        int ox = from;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; ox + 32 <= end; ox += 32)
            {
                var acc0 = Vector512.Create(b);
                var acc1 = acc0;
                for (int t = 0; t < n; t++)
                {
                    var wv = Vector512.Create(weights[t]);
                    float* p = taps[t] + ox;
                    acc0 = Vector512.FusedMultiplyAdd(Vector512.Load(p), wv, acc0);
                    acc1 = Vector512.FusedMultiplyAdd(Vector512.Load(p + 16), wv, acc1);
                }
                acc0.Store(y + ox);
                acc1.Store(y + ox + 16);
            }
            for (; ox + 16 <= end; ox += 16)
            {
                var acc = Vector512.Create(b);
                for (int t = 0; t < n; t++)
                    acc = Vector512.FusedMultiplyAdd(Vector512.Load(taps[t] + ox), Vector512.Create(weights[t]), acc);
                acc.Store(y + ox);
            }
        }
        for (; ox + 8 <= end; ox += 8)
        {
            var acc = Vector256.Create(b);
            for (int t = 0; t < n; t++)
                acc = Vector256.FusedMultiplyAdd(Vector256.Load(taps[t] + ox), Vector256.Create(weights[t]), acc);
            acc.Store(y + ox);
        }
        for (; ox < end; ox++)
        {
            float acc = b;
            for (int t = 0; t < n; t++) acc = MathF.FusedMultiplyAdd(taps[t][ox], weights[t], acc);
            y[ox] = acc;
        }
    }

    /// <summary>Output columns [from, end) of one row, bounds-checked against the original plane.</summary>
    void BorderColumns(float* y, float* src, float* kern, int from, int end, int iy0, float b)
    {
        int h = x.Shape[2], w = x.Shape[3], kh = weight.Shape[2], kw = weight.Shape[3];
        for (int ox = from; ox < end; ox++)
        {
            int ix0 = ox * a.StrideW - a.Padding.Left;
            float acc = b;
            for (int ky = 0; ky < kh; ky++)
            {
                int iy = iy0 + ky;
                if ((uint)iy >= (uint)h) continue;
                for (int kx = 0; kx < kw; kx++)
                {
                    int ix = ix0 + kx;
                    if ((uint)ix < (uint)w) acc = MathF.FusedMultiplyAdd(src[(long)iy * w + ix], kern[ky * kw + kx], acc);
                }
            }
            y[ox] = acc;
        }
    }

    /// <summary>
    /// P_r[iy, j] = x[iy, s·j + r] for r in [0, s): s blocks of h rows of phaseW floats. Entries past the end of a
    /// short phase row are left as they are; the interior loop never reads them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void SplitPhases(float* src, int h, int w, int s, float* phases, int phaseW)
    {
        for (int iy = 0; iy < h; iy++)
        {
            float* row = src + (long)iy * w;
            int j = 0;
            if (s == 2)
            {
                float* even = phases + (long)iy * phaseW, odd = phases + ((long)h + iy) * phaseW;
                if (Avx512F.IsSupported)
                {
                    var evenIdx = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
                    var oddIdx = evenIdx + Vector512<int>.One;
                    for (; 2 * j + 32 <= w; j += 16)
                    {
                        var lo = Vector512.Load(row + 2 * j);
                        var hi = Vector512.Load(row + 2 * j + 16);
                        Avx512F.PermuteVar16x32x2(lo, evenIdx, hi).Store(even + j);
                        Avx512F.PermuteVar16x32x2(lo, oddIdx, hi).Store(odd + j);
                    }
                }
                if (Avx2.IsSupported)
                {
                    for (; 2 * j + 16 <= w; j += 8)
                    {
                        var lo = Vector256.Load(row + 2 * j);
                        var hi = Vector256.Load(row + 2 * j + 8);
                        // Shuffle picks within 128-bit lanes ([a0 a2 b0 b2 | a4 a6 b4 b6]); the 64-bit permute restores order.
                        Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle().Store(even + j);
                        Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle().Store(odd + j);
                    }
                }
            }
            for (int r = 0; r < s; r++)
            {
                float* dst = phases + ((long)r * h + iy) * phaseW;
                for (int jj = j; s * jj + r < w; jj++) dst[jj] = row[s * jj + r];
            }
        }
    }
}
