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
/// Geometry: one work item per (b, c) plane, so a plane stays in L1/L2 while all of its rows are made.
///   Borders first, separately: the plane is copied once into a pooled buffer with its zero padding made
///   explicit and, for sw > 1, its columns split into sw phases, P_r[p, j] = x[p − top, sw·j + r − left].
///   Tap (ky, kx) of output row oy then reads P_{kx mod sw}[oy·sh + ky, ox + ⌊kx/sw⌋]: a unit-stride run over ox
///   for every stride, with no bounds checks (stride 1 is one phase, a padded copy; sw = 2 deinterleaves with
///   one AVX-512 vpermt2ps, or AVX2 shuffle + permute, per 16/8 outputs).
///   Rows are vectorised over output columns: 2×Vector512 (32 outputs, two independent FMA chains), then one
///   Vector512 per 16 (Vector256 per 8 without AVX-512); each output is written once (bias + all kh·kw taps in
///   registers). Phase rows are padded to a multiple of 16 so the last vector may read past ow; only its first
///   ow mod 16 lanes are stored.
///   The copy costs one pass over the input (~1/9 of the FMA work for 3×3); in exchange small planes (14×14, 7×7,
///   where borders are most of the row) run fully vectorised.
/// A fused activation (ActivationFusion): ReLU6 is clamped in registers as each vector is stored; others are
/// applied to the finished plane while it is still in cache.
/// Accumulates in float with FMA, bias first then taps row-major; differs from the im2col path only in rounding.
/// Reference: tests/HipVision.Tests/Reference/RefOps.Conv.cs Conv2d (float64). Other grouped convs: GroupedConv2dStep.
/// </summary>
internal sealed unsafe class DepthwiseConv2dStep(string name, CpuTensor x, CpuTensor weight, nint bias, CpuTensor y, Conv2dAttributes a, OpKind? activation, int threads)
    : CpuStep(name, activation is { } act ? $"Conv2d(depthwise)+{act}" : "Conv2d(depthwise)")
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void Plane(int plane)
    {
        int c = x.Shape[1], h = x.Shape[2], w = x.Shape[3], oh = y.Shape[2], ow = y.Shape[3];
        int kh = weight.Shape[2], kw = weight.Shape[3], sh = a.StrideH, sw = a.StrideW;
        int ch = plane % c;
        float* src = x.Pointer + (long)plane * h * w;
        float* dst = y.Pointer + (long)plane * oh * ow;
        float* kern = weight.Pointer + (long)ch * kh * kw;
        float b = bias == 0 ? 0f : ((float*)bias)[ch];
        bool relu6 = activation == OpKind.Relu6;

        // Padded rows actually read, and the phase row length: every output vector (rounded up to 16) plus the
        // widest tap offset, and room for every source column.
        int hp = (oh - 1) * sh + kh;
        int len = RoundUp16(Math.Max(RoundUp16(ow) + (kw - 1) / sw, (a.Padding.Left + w + sw - 1) / sw));
        var buffer = ArrayPool<float>.Shared.Rent(sw * hp * len);
        fixed (float* padded = buffer)
        {
            Pad(src, h, w, padded, hp, len);
            int n = kh * kw;
            long* offsets = stackalloc long[n];
            float** taps = stackalloc float*[n];
            float* tail = stackalloc float[16];
            for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++)
                    offsets[ky * kw + kx] = ((long)(kx % sw) * hp + ky) * len + kx / sw;
            for (int oy = 0; oy < oh; oy++)
            {
                float* rows = padded + (long)oy * sh * len;
                for (int t = 0; t < n; t++) taps[t] = rows + offsets[t];
                Row(dst + (long)oy * ow, taps, kern, n, ow, b, relu6 ? 0f : float.NegativeInfinity, relu6 ? 6f : float.PositiveInfinity, tail);
            }
            if (activation is { } act && !relu6)
            {
                var output = new Span<float>(dst, oh * ow);
                UnaryStep.Apply(act, output, output);
            }
        }
        ArrayPool<float>.Shared.Return(buffer);
    }

    static int RoundUp16(int n) => (n + 15) & ~15;

    /// <summary>
    /// y[ox] = b + Σ_t weight_t · tap_t[ox] for ox in [0, ow): every tap is a unit-stride row readable up to
    /// RoundUp16(ow). The last, partial vector goes through <paramref name="tail"/> so nothing past ow is written.
    /// Every output is clamped to [lo, hi]: [0, 6] for a fused ReLU6, [−∞, +∞] (a no-op that keeps NaN) otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Row(float* y, float** taps, float* weights, int n, int ow, float b, float lo, float hi, float* tail)
    {
        int ox = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> lo512 = Vector512.Create(lo), hi512 = Vector512.Create(hi);
            for (; ox + 32 <= ow; ox += 32)
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
                Clamp(acc0, lo512, hi512).Store(y + ox);
                Clamp(acc1, lo512, hi512).Store(y + ox + 16);
            }
            for (; ox < ow; ox += 16)
            {
                var acc = Vector512.Create(b);
                for (int t = 0; t < n; t++)
                    acc = Vector512.FusedMultiplyAdd(Vector512.Load(taps[t] + ox), Vector512.Create(weights[t]), acc);
                acc = Clamp(acc, lo512, hi512);
                if (ox + 16 <= ow) acc.Store(y + ox);
                else StorePartial(acc.GetLower(), acc.GetUpper(), y + ox, ow - ox, tail);
            }
            return;
        }
        Vector256<float> lo256 = Vector256.Create(lo), hi256 = Vector256.Create(hi);
        for (; ox < ow; ox += 8)
        {
            var acc = Vector256.Create(b);
            for (int t = 0; t < n; t++)
                acc = Vector256.FusedMultiplyAdd(Vector256.Load(taps[t] + ox), Vector256.Create(weights[t]), acc);
            acc = Vector256.MinNative(hi256, Vector256.MaxNative(lo256, acc));
            if (ox + 8 <= ow) acc.Store(y + ox);
            else StorePartial(acc, Vector256<float>.Zero, y + ox, ow - ox, tail);
        }
    }

    /// <summary>min(hi, max(lo, v)); x86 min/max return the second operand for NaN, so NaN passes through as in torch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Clamp(Vector512<float> v, Vector512<float> lo, Vector512<float> hi) => Vector512.MinNative(hi, Vector512.MaxNative(lo, v));

    static void StorePartial(Vector256<float> lo, Vector256<float> hi, float* y, int count, float* tail)
    {
        lo.Store(tail);
        hi.Store(tail + 8);
        for (int i = 0; i < count; i++) y[i] = tail[i];
    }

    /// <summary>
    /// The zero-padded plane split into sw column phases: P_r[p, j] = x[p − top, sw·j + r − left] (0 outside x),
    /// sw blocks of <paramref name="hp"/> rows of <paramref name="len"/> floats; stride 1 is one phase, a plain copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void Pad(float* src, int h, int w, float* padded, int hp, int len)
    {
        int s = a.StrideW, top = a.Padding.Top, left = a.Padding.Left;
        new Span<float>(padded, s * hp * len).Clear();
        for (int p = 0; p < hp; p++)
        {
            int iy = p - top;
            if ((uint)iy >= (uint)h) continue;
            float* row = src + (long)iy * w;
            if (s == 1)
            {
                new ReadOnlySpan<float>(row, w).CopyTo(new Span<float>(padded + (long)p * len + left, w));
                continue;
            }
            if (s == 2)
            {
                // Source column 2q lands at padded column 2q + left, 2q + 1 at 2q + 1 + left.
                float* even = padded + ((long)(left & 1) * hp + p) * len + (left >> 1);
                float* odd = padded + ((long)((left + 1) & 1) * hp + p) * len + ((left + 1) >> 1);
                Deinterleave(row, w, even, odd);
                continue;
            }
            for (int ix = 0; ix < w; ix++)
            {
                int pc = ix + left;
                padded[((long)(pc % s) * hp + p) * len + pc / s] = row[ix];
            }
        }
    }

    /// <summary>even[q] = row[2q], odd[q] = row[2q + 1].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Deinterleave(float* row, int w, float* even, float* odd)
    {
        int j = 0;
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
        for (; 2 * j < w; j++)
        {
            even[j] = row[2 * j];
            if (2 * j + 1 < w) odd[j] = row[2 * j + 1];
        }
    }
}
