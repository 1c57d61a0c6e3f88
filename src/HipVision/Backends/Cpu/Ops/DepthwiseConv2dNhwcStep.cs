using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using HipVision.Graph;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// Depthwise convolution on channels-last tensors (groups = C = O, dilation 1): x [B, H, W, C] → y [B, OH, OW, C],
/// any stride, any 4-sided padding (zero outside x). Math, per output pixel and channel:
///   y[b, oy, ox, c] = bias[c] + Σ_{ky, kx} W[c, ky, kx] · x[b, oy·sh − top + ky, ox·sw − left + kx, c]
/// Weights arrive in PyTorch layout [C, 1, kh, kw] and are repacked once, in the constructor, to [kh·kw, C], so
/// the weights of one tap for 16 consecutive channels are one vector load (the same stride as x's channels).
/// Geometry: one work item per output row (b, oy), B·OH items over CpuParallel.For. Within a row, per output
/// pixel ox the valid tap window [ky0, ky1) × [kx0, kx1) is clipped against the input once (padding costs
/// nothing: out-of-range taps are simply skipped), then channels are vectorised: 4×Vector512 accumulators
/// (64 channels) over all valid taps, then single Vector512 (16), then Vector256 blocks (32 / 8), then a scalar
/// tail for C mod 8. Each output is written once: bias + taps (ky, kx row-major) accumulated with FMA in registers.
/// A fused activation: ReLU6 is clamped in registers at the store; SiLU / GELU / sigmoid are applied by
/// UnaryStep.Apply to the finished row (OW·C floats) while it is still in cache.
/// Row sums for a squeeze-excite after it (<see cref="SumRows"/>): each finished row's channel sums go to
/// rowSums[b·OH + oy, C] while the row is in cache, so the excite step never reads the tensor to pool it.
/// No per-run allocations: packed weights and bias are pinned arrays made once, the row delegate is cached.
/// Reference: tests/HipVision.Tests/Reference/RefOps.Conv.cs Conv2d (float64, NCHW) on the transposed data.
/// </summary>
internal sealed unsafe class DepthwiseConv2dNhwcStep : CpuStep
{
    readonly CpuTensor _x, _y;
    readonly OpKind? _activation;
    readonly int _threads, _h, _w, _c, _oh, _ow, _kh, _kw, _sh, _sw, _top, _left;
    readonly float _lo, _hi;
    readonly float[] _weights, _bias;
    readonly float* _wp, _bp;
    readonly Action<int> _row;
    float[]? _rowSums;
    float* _rsp;

    public DepthwiseConv2dNhwcStep(string name, CpuTensor x, CpuTensor weight, nint bias, CpuTensor y, Conv2dAttributes a, OpKind? activation, int threads)
        : base(name, activation is { } act ? $"Conv2d(depthwise,nhwc)+{act}" : "Conv2d(depthwise,nhwc)")
    {
        ArgumentNullException.ThrowIfNull(a);
        if (x.Shape.Length != 4 || y.Shape.Length != 4 || weight.Shape.Length != 4)
            throw new ArgumentException("depthwise NHWC expects 4-D x [B, H, W, C], weight [C, 1, kh, kw], y [B, OH, OW, C]");
        (_x, _y, _activation, _threads) = (x, y, activation, threads);
        (_h, _w, _c) = (x.Shape[1], x.Shape[2], x.Shape[3]);
        (_oh, _ow) = (y.Shape[1], y.Shape[2]);
        (_kh, _kw) = (weight.Shape[2], weight.Shape[3]);
        (_sh, _sw, _top, _left) = (a.StrideH, a.StrideW, a.Padding.Top, a.Padding.Left);
        if (weight.Shape[0] != _c || weight.Shape[1] != 1 || y.Shape[3] != _c || y.Shape[0] != x.Shape[0])
            throw new ArgumentException("depthwise NHWC: weight must be [C, 1, kh, kw] and y [B, OH, OW, C] with x's C and B");
        if (a.DilationH != 1 || a.DilationW != 1 || a.Groups != _c)
            throw new ArgumentException("depthwise NHWC: dilation 1 and groups = C only");
        if (_oh != (_h + a.Padding.Top + a.Padding.Bottom - _kh) / _sh + 1 || _ow != (_w + a.Padding.Left + a.Padding.Right - _kw) / _sw + 1)
            throw new ArgumentException("depthwise NHWC: y's spatial size does not match the convolution");
        if (activation is { } f && f is not (OpKind.Relu6 or OpKind.Silu or OpKind.Gelu or OpKind.Sigmoid))
            throw new ArgumentOutOfRangeException(nameof(activation), f, "not a fusable activation");

        int taps = _kh * _kw;
        _weights = GC.AllocateArray<float>(taps * _c, pinned: true);
        _bias = GC.AllocateArray<float>(_c, pinned: true);
        float* src = weight.Pointer;
        for (int c = 0; c < _c; c++)
            for (int t = 0; t < taps; t++)
                _weights[t * _c + c] = src[(long)c * taps + t];
        if (bias != 0)
            new ReadOnlySpan<float>((float*)bias, _c).CopyTo(_bias);
        _wp = (float*)Unsafe.AsPointer(ref _weights[0]);
        _bp = (float*)Unsafe.AsPointer(ref _bias[0]);
        bool relu6 = activation == OpKind.Relu6;
        (_lo, _hi) = relu6 ? (0f, 6f) : (float.NegativeInfinity, float.PositiveInfinity);
        _row = Row;
    }

    public override void Run() => CpuParallel.For(_threads, _x.Shape[0] * _oh, _row);

    /// <summary>Output rows per image (OH): the rows of <see cref="SumRows"/> per image.</summary>
    internal int RowsPerImage => _oh;

    /// <summary>
    /// Makes every run also write the channel sums of each output row, after the activation, to a [B·OH, C] buffer
    /// (row b·OH + oy), and returns it. Called while the plan is compiled.
    /// </summary>
    internal float* SumRows()
    {
        if (_rowSums == null)
        {
            _rowSums = GC.AllocateArray<float>(_x.Shape[0] * _oh * _c, pinned: true);
            _rsp = (float*)Unsafe.AsPointer(ref _rowSums[0]);
        }
        return _rsp;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void Row(int item)
    {
        int b = item / _oh, oy = item % _oh, c = _c, w = _w;
        int iy0 = oy * _sh - _top;
        int ky0 = Math.Max(0, -iy0), ky1 = Math.Min(_kh, _h - iy0);
        float* dstRow = _y.Pointer + ((long)b * _oh + oy) * _ow * c;
        // Element (iy0, 0) of image b; may lie outside x, only in-range taps are dereferenced.
        float* srcRow = _x.Pointer + ((long)b * _h + iy0) * w * c;
        for (int ox = 0; ox < _ow; ox++)
        {
            int ix0 = ox * _sw - _left;
            int kx0 = Math.Max(0, -ix0), kx1 = Math.Min(_kw, w - ix0);
            int c0 = 0;
            // Interior pixel pairs share every weight load (two pixels × 64 channels per tap).
            if (Vector512.IsHardwareAccelerated && c >= 64 && ox + 1 < _ow && kx0 == 0 && ix0 + _sw + _kw <= w)
            {
                c0 = PixelPair(dstRow + (long)ox * c, srcRow + (long)ix0 * c, ky0, ky1);
                Pixel(dstRow + (long)(ox + 1) * c, srcRow + (long)(ix0 + _sw) * c, ky0, ky1, 0, _kw, c0);
                Pixel(dstRow + (long)ox * c, srcRow + (long)ix0 * c, ky0, ky1, kx0, kx1, c0);
                ox++;
                continue;
            }
            Pixel(dstRow + (long)ox * c, srcRow + (long)ix0 * c, ky0, ky1, kx0, kx1, c0);
        }
        if (_activation is { } act && act != OpKind.Relu6)
        {
            var row = new Span<float>(dstRow, _ow * c);
            UnaryStep.Apply(act, row, row);
        }
        if (_rsp != null) NhwcRows.Sum(dstRow, _ow, c, _rsp + (long)item * c);
    }

    /// <summary>
    /// Two horizontally adjacent interior pixels (all kw taps inside), channels in blocks of 64: each tap's
    /// weights are loaded once for both. Returns the first channel not done (the caller finishes the rest).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    int PixelPair(float* dst, float* src, int ky0, int ky1)
    {
        int channels = _c, kw = _kw;
        long rowStride = (long)_w * channels, next = (long)_sw * channels;
        float* wp = _wp, bp = _bp;
        Vector512<float> lo = Vector512.Create(_lo), hi = Vector512.Create(_hi);
        int c = 0;
        for (; c + 64 <= channels; c += 64)
        {
            var a0 = Vector512.Load(bp + c);
            var a1 = Vector512.Load(bp + c + 16);
            var a2 = Vector512.Load(bp + c + 32);
            var a3 = Vector512.Load(bp + c + 48);
            Vector512<float> b0 = a0, b1 = a1, b2 = a2, b3 = a3;
            for (int ky = ky0; ky < ky1; ky++)
            {
                float* s = src + ky * rowStride + c;
                float* k = wp + (long)ky * kw * channels + c;
                for (int kx = 0; kx < kw; kx++)
                {
                    float* sp = s + (long)kx * channels, kp = k + (long)kx * channels;
                    var w0 = Vector512.Load(kp);
                    var w1 = Vector512.Load(kp + 16);
                    var w2 = Vector512.Load(kp + 32);
                    var w3 = Vector512.Load(kp + 48);
                    a0 = Vector512.FusedMultiplyAdd(Vector512.Load(sp), w0, a0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.Load(sp + 16), w1, a1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.Load(sp + 32), w2, a2);
                    a3 = Vector512.FusedMultiplyAdd(Vector512.Load(sp + 48), w3, a3);
                    b0 = Vector512.FusedMultiplyAdd(Vector512.Load(sp + next), w0, b0);
                    b1 = Vector512.FusedMultiplyAdd(Vector512.Load(sp + next + 16), w1, b1);
                    b2 = Vector512.FusedMultiplyAdd(Vector512.Load(sp + next + 32), w2, b2);
                    b3 = Vector512.FusedMultiplyAdd(Vector512.Load(sp + next + 48), w3, b3);
                }
            }
            Vector512.MinNative(hi, Vector512.MaxNative(lo, a0)).Store(dst + c);
            Vector512.MinNative(hi, Vector512.MaxNative(lo, a1)).Store(dst + c + 16);
            Vector512.MinNative(hi, Vector512.MaxNative(lo, a2)).Store(dst + c + 32);
            Vector512.MinNative(hi, Vector512.MaxNative(lo, a3)).Store(dst + c + 48);
            Vector512.MinNative(hi, Vector512.MaxNative(lo, b0)).Store(dst + channels + c);
            Vector512.MinNative(hi, Vector512.MaxNative(lo, b1)).Store(dst + channels + c + 16);
            Vector512.MinNative(hi, Vector512.MaxNative(lo, b2)).Store(dst + channels + c + 32);
            Vector512.MinNative(hi, Vector512.MaxNative(lo, b3)).Store(dst + channels + c + 48);
        }
        return c;
    }

    /// <summary>One output pixel's C channels: dst[c] = clamp(bias[c] + Σ_{valid taps} W[t, c]·src[(ky·W + kx)·C + c]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void Pixel(float* dst, float* src, int ky0, int ky1, int kx0, int kx1, int firstChannel)
    {
        int channels = _c, kw = _kw;
        long rowStride = (long)_w * channels;
        float* wp = _wp, bp = _bp;
        int c = firstChannel;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> lo = Vector512.Create(_lo), hi = Vector512.Create(_hi);
            for (; c + 64 <= channels; c += 64)
            {
                var a0 = Vector512.Load(bp + c);
                var a1 = Vector512.Load(bp + c + 16);
                var a2 = Vector512.Load(bp + c + 32);
                var a3 = Vector512.Load(bp + c + 48);
                for (int ky = ky0; ky < ky1; ky++)
                {
                    float* s = src + ky * rowStride + c;
                    float* k = wp + (long)ky * kw * channels + c;
                    for (int kx = kx0; kx < kx1; kx++)
                    {
                        float* sp = s + (long)kx * channels, kp = k + (long)kx * channels;
                        a0 = Vector512.FusedMultiplyAdd(Vector512.Load(sp), Vector512.Load(kp), a0);
                        a1 = Vector512.FusedMultiplyAdd(Vector512.Load(sp + 16), Vector512.Load(kp + 16), a1);
                        a2 = Vector512.FusedMultiplyAdd(Vector512.Load(sp + 32), Vector512.Load(kp + 32), a2);
                        a3 = Vector512.FusedMultiplyAdd(Vector512.Load(sp + 48), Vector512.Load(kp + 48), a3);
                    }
                }
                Vector512.MinNative(hi, Vector512.MaxNative(lo, a0)).Store(dst + c);
                Vector512.MinNative(hi, Vector512.MaxNative(lo, a1)).Store(dst + c + 16);
                Vector512.MinNative(hi, Vector512.MaxNative(lo, a2)).Store(dst + c + 32);
                Vector512.MinNative(hi, Vector512.MaxNative(lo, a3)).Store(dst + c + 48);
            }
            for (; c + 16 <= channels; c += 16)
            {
                var a0 = Vector512.Load(bp + c);
                for (int ky = ky0; ky < ky1; ky++)
                {
                    float* s = src + ky * rowStride + c;
                    float* k = wp + (long)ky * kw * channels + c;
                    for (int kx = kx0; kx < kx1; kx++)
                        a0 = Vector512.FusedMultiplyAdd(Vector512.Load(s + (long)kx * channels), Vector512.Load(k + (long)kx * channels), a0);
                }
                Vector512.MinNative(hi, Vector512.MaxNative(lo, a0)).Store(dst + c);
            }
        }
        Vector256<float> lo8 = Vector256.Create(_lo), hi8 = Vector256.Create(_hi);
        for (; c + 32 <= channels; c += 32)
        {
            var a0 = Vector256.Load(bp + c);
            var a1 = Vector256.Load(bp + c + 8);
            var a2 = Vector256.Load(bp + c + 16);
            var a3 = Vector256.Load(bp + c + 24);
            for (int ky = ky0; ky < ky1; ky++)
            {
                float* s = src + ky * rowStride + c;
                float* k = wp + (long)ky * kw * channels + c;
                for (int kx = kx0; kx < kx1; kx++)
                {
                    float* sp = s + (long)kx * channels, kp = k + (long)kx * channels;
                    a0 = Vector256.FusedMultiplyAdd(Vector256.Load(sp), Vector256.Load(kp), a0);
                    a1 = Vector256.FusedMultiplyAdd(Vector256.Load(sp + 8), Vector256.Load(kp + 8), a1);
                    a2 = Vector256.FusedMultiplyAdd(Vector256.Load(sp + 16), Vector256.Load(kp + 16), a2);
                    a3 = Vector256.FusedMultiplyAdd(Vector256.Load(sp + 24), Vector256.Load(kp + 24), a3);
                }
            }
            Vector256.MinNative(hi8, Vector256.MaxNative(lo8, a0)).Store(dst + c);
            Vector256.MinNative(hi8, Vector256.MaxNative(lo8, a1)).Store(dst + c + 8);
            Vector256.MinNative(hi8, Vector256.MaxNative(lo8, a2)).Store(dst + c + 16);
            Vector256.MinNative(hi8, Vector256.MaxNative(lo8, a3)).Store(dst + c + 24);
        }
        for (; c + 8 <= channels; c += 8)
        {
            var a0 = Vector256.Load(bp + c);
            for (int ky = ky0; ky < ky1; ky++)
            {
                float* s = src + ky * rowStride + c;
                float* k = wp + (long)ky * kw * channels + c;
                for (int kx = kx0; kx < kx1; kx++)
                    a0 = Vector256.FusedMultiplyAdd(Vector256.Load(s + (long)kx * channels), Vector256.Load(k + (long)kx * channels), a0);
            }
            Vector256.MinNative(hi8, Vector256.MaxNative(lo8, a0)).Store(dst + c);
        }
        for (; c < channels; c++)
        {
            float acc = bp[c];
            for (int ky = ky0; ky < ky1; ky++)
                for (int kx = kx0; kx < kx1; kx++)
                    acc = MathF.FusedMultiplyAdd(src[ky * rowStride + (long)kx * channels + c], wp[((long)ky * kw + kx) * channels + c], acc);
            dst[c] = MathF.Min(_hi, MathF.Max(_lo, acc));
        }
    }
}
