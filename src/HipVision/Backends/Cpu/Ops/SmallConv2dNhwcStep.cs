using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using HipVision.Graph;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// Dense convolution (groups 1) with few taps per output (K = C·kh·kw ≤ <see cref="MaxTaps"/>: the stems of MobileNet and
/// EfficientNet, 3·3·3 = 27), computed directly into channels-last output without gathering im2col rows:
///   y[b, oy, ox, o] = act(bias[o] + Σ_{c, ky, kx} W[o, c, ky, kx] · x[b, c | oy·sh − top + ky, ox·sw − left + kx])
/// from an NCHW or NHWC input; taps outside the image are skipped (zero padding, TF "SAME" asymmetric included).
/// Weights are repacked once to [K, O'] (O' = O rounded up to 16, zero-filled), so one tap's weights for 16 outputs
/// are one vector. Geometry: one work item per output row (b, oy), B·OH items over CpuParallel.For. Within a row,
/// four horizontally adjacent pixels at a time, each with all O' outputs in registers (4 pixels × 2 vectors = 8
/// independent FMA chains per 32 outputs, which hides the FMA latency): per tap one input broadcast per pixel and one
/// weight vector per 16 outputs. Pixels whose taps are all inside the image take a tap-offset table; the pixels at the
/// image's edges clip their tap window. Each pixel's O' sums go to a small tile and its O values to y; the activation
/// runs over the finished row (OW·O floats) while it is in cache. The im2col path this replaces wrote and re-read a
/// [OH·OW, K] matrix and ran the SGEMM with K = 27.
/// Reference: tests/HipVision.Tests/Reference/RefOps.Conv.cs Conv2d (float64, NCHW).
/// </summary>
internal sealed unsafe class SmallConv2dNhwcStep : CpuStep
{
    /// <summary>Most taps (C·kh·kw) per output this step takes; larger convolutions keep the SGEMM path.</summary>
    public const int MaxTaps = 64;

    /// <summary>Output channels in registers per pass: 4 pixels × 2 vectors.</summary>
    const int Block = 32;

    readonly CpuTensor _x, _y;
    readonly bool _nhwc;
    readonly OpKind? _activation;
    readonly int _threads, _c, _h, _w, _o, _oPadded, _oh, _ow, _kh, _kw, _sh, _sw, _top, _left, _taps;
    readonly long _strideC, _strideY, _strideX;
    readonly float[] _weights, _bias;
    readonly long[] _tapOffsets;
    readonly Action<int> _row;

    /// <summary>True when this step can run the convolution (and the machine has 512-bit vectors).</summary>
    public static bool Supports(int inChannels, int kernelH, int kernelW, Conv2dAttributes a) =>
        Vector512.IsHardwareAccelerated && a.Groups == 1 && a.DilationH == 1 && a.DilationW == 1 &&
        (long)inChannels * kernelH * kernelW <= MaxTaps && !(kernelH == 1 && kernelW == 1);

    public SmallConv2dNhwcStep(string name, CpuTensor x, bool inputNhwc, CpuTensor weight, nint bias, CpuTensor y, Conv2dAttributes a, OpKind? activation, int threads)
        : base(name, "Conv2d(direct,nhwc)" + (activation is { } act ? $"+{act}" : ""))
    {
        (_x, _y, _nhwc, _activation, _threads) = (x, y, inputNhwc, activation, threads);
        (_c, _h, _w) = inputNhwc ? (x.Shape[3], x.Shape[1], x.Shape[2]) : (x.Shape[1], x.Shape[2], x.Shape[3]);
        (_oh, _ow, _o) = (y.Shape[1], y.Shape[2], y.Shape[3]);
        (_kh, _kw) = (weight.Shape[2], weight.Shape[3]);
        (_sh, _sw, _top, _left) = (a.StrideH, a.StrideW, a.Padding.Top, a.Padding.Left);
        if (weight.Shape[0] != _o || weight.Shape[1] != _c || !Supports(_c, _kh, _kw, a))
            throw new ArgumentException("small direct conv: weight must be [O, C, kh, kw] with C·kh·kw ≤ 64, groups and dilation 1");
        if (_oh != (_h + a.Padding.Top + a.Padding.Bottom - _kh) / _sh + 1 || _ow != (_w + a.Padding.Left + a.Padding.Right - _kw) / _sw + 1)
            throw new ArgumentException("small direct conv: y's spatial size does not match the convolution");
        // Element strides of the input in (channel, row, column).
        (_strideC, _strideY, _strideX) = inputNhwc ? (1L, (long)_w * _c, (long)_c) : ((long)_h * _w, (long)_w, 1L);
        _taps = _c * _kh * _kw;
        _oPadded = (_o + 15) / 16 * 16;
        _weights = GC.AllocateArray<float>(_taps * _oPadded, pinned: true);
        _bias = GC.AllocateArray<float>(_oPadded, pinned: true);
        _tapOffsets = new long[_taps];
        for (int c = 0, t = 0; c < _c; c++)
            for (int ky = 0; ky < _kh; ky++)
                for (int kx = 0; kx < _kw; kx++, t++)
                {
                    _tapOffsets[t] = c * _strideC + ky * _strideY + kx * _strideX;
                    for (int o = 0; o < _o; o++) _weights[t * _oPadded + o] = weight.Pointer[(long)o * _taps + t];
                }
        if (bias != 0) new ReadOnlySpan<float>((float*)bias, _o).CopyTo(_bias);
        _row = Row;
    }

    public override void Run() => CpuParallel.For(_threads, _y.Shape[0] * _oh, _row);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void Row(int item)
    {
        int b = item / _oh, oy = item % _oh;
        int iy0 = oy * _sh - _top, ky0 = Math.Max(0, -iy0), ky1 = Math.Min(_kh, _h - iy0);
        float* image = _x.Pointer + (long)b * _c * _h * _w;
        float* dst = _y.Pointer + ((long)b * _oh + oy) * _ow * _o;
        float* tile = stackalloc float[4 * _oPadded];
        bool fullRows = ky0 == 0 && ky1 == _kh;
        fixed (float* wp = _weights, bp = _bias)
        fixed (long* offsets = _tapOffsets)
        {
            int ox = 0;
            for (; ox < _ow; ox += 4)
            {
                int pixels = Math.Min(4, _ow - ox);
                int ix0 = ox * _sw - _left, ixLast = (ox + pixels - 1) * _sw - _left;
                if (fullRows && pixels == 4 && ix0 >= 0 && ixLast + _kw <= _w)
                    Interior(image + iy0 * _strideY + ix0 * _strideX, wp, bp, offsets, tile);
                else
                    for (int p = 0; p < pixels; p++)
                        Edge(image, iy0, ix0 + p * _sw, ky0, ky1, wp, bp, tile + p * _oPadded);
                for (int p = 0; p < pixels; p++)
                    new ReadOnlySpan<float>(tile + p * _oPadded, _o).CopyTo(new Span<float>(dst + (long)(ox + p) * _o, _o));
            }
        }
        if (_activation is { } act)
        {
            var row = new Span<float>(dst, _ow * _o);
            UnaryStep.Apply(act, row, row);
        }
    }

    /// <summary>Four pixels with every tap inside the image: origin is pixel 0's tap (c = 0, ky = 0, kx = 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void Interior(float* origin, float* wp, float* bp, long* offsets, float* tile)
    {
        long next = _sw * _strideX;
        int taps = _taps, oPadded = _oPadded;
        for (int o0 = 0; o0 < oPadded; o0 += Block)
        {
            if (o0 + Block <= oPadded)
            {
                var b0 = Vector512.Load(bp + o0);
                var b1 = Vector512.Load(bp + o0 + 16);
                Vector512<float> a0 = b0, a1 = b1, c0 = b0, c1 = b1, d0 = b0, d1 = b1, e0 = b0, e1 = b1;
                for (int t = 0; t < taps; t++)
                {
                    float* s = origin + offsets[t];
                    float* k = wp + (long)t * oPadded + o0;
                    var w0 = Vector512.Load(k);
                    var w1 = Vector512.Load(k + 16);
                    var v = Vector512.Create(s[0]);
                    a0 = Vector512.FusedMultiplyAdd(v, w0, a0);
                    a1 = Vector512.FusedMultiplyAdd(v, w1, a1);
                    v = Vector512.Create(s[next]);
                    c0 = Vector512.FusedMultiplyAdd(v, w0, c0);
                    c1 = Vector512.FusedMultiplyAdd(v, w1, c1);
                    v = Vector512.Create(s[2 * next]);
                    d0 = Vector512.FusedMultiplyAdd(v, w0, d0);
                    d1 = Vector512.FusedMultiplyAdd(v, w1, d1);
                    v = Vector512.Create(s[3 * next]);
                    e0 = Vector512.FusedMultiplyAdd(v, w0, e0);
                    e1 = Vector512.FusedMultiplyAdd(v, w1, e1);
                }
                a0.Store(tile + o0); a1.Store(tile + o0 + 16);
                c0.Store(tile + oPadded + o0); c1.Store(tile + oPadded + o0 + 16);
                d0.Store(tile + 2 * oPadded + o0); d1.Store(tile + 2 * oPadded + o0 + 16);
                e0.Store(tile + 3 * oPadded + o0); e1.Store(tile + 3 * oPadded + o0 + 16);
            }
            else
            {
                // The last 16 outputs when O' is an odd number of vectors.
                var b0 = Vector512.Load(bp + o0);
                Vector512<float> a0 = b0, c0 = b0, d0 = b0, e0 = b0;
                for (int t = 0; t < taps; t++)
                {
                    float* s = origin + offsets[t];
                    var w0 = Vector512.Load(wp + (long)t * oPadded + o0);
                    a0 = Vector512.FusedMultiplyAdd(Vector512.Create(s[0]), w0, a0);
                    c0 = Vector512.FusedMultiplyAdd(Vector512.Create(s[next]), w0, c0);
                    d0 = Vector512.FusedMultiplyAdd(Vector512.Create(s[2 * next]), w0, d0);
                    e0 = Vector512.FusedMultiplyAdd(Vector512.Create(s[3 * next]), w0, e0);
                }
                a0.Store(tile + o0);
                c0.Store(tile + oPadded + o0);
                d0.Store(tile + 2 * oPadded + o0);
                e0.Store(tile + 3 * oPadded + o0);
            }
        }
    }

    /// <summary>One pixel whose tap window is clipped by the image: only taps inside are summed.</summary>
    void Edge(float* image, int iy0, int ix0, int ky0, int ky1, float* wp, float* bp, float* sums)
    {
        int kx0 = Math.Max(0, -ix0), kx1 = Math.Min(_kw, _w - ix0), oPadded = _oPadded;
        for (int o0 = 0; o0 < oPadded; o0 += 16)
        {
            var acc = Vector512.Load(bp + o0);
            for (int c = 0; c < _c; c++)
                for (int ky = ky0; ky < ky1; ky++)
                    for (int kx = kx0; kx < kx1; kx++)
                    {
                        float v = image[c * _strideC + (iy0 + ky) * _strideY + (ix0 + kx) * _strideX];
                        int t = (c * _kh + ky) * _kw + kx;
                        acc = Vector512.FusedMultiplyAdd(Vector512.Create(v), Vector512.Load(wp + (long)t * oPadded + o0), acc);
                    }
            acc.Store(sums + o0);
        }
    }
}
