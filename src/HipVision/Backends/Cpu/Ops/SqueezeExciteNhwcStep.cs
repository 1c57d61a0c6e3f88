using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using HipVision.Graph;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// Squeeze-and-excitation (HF EfficientNetSqueezeExciteLayer) on a channels-last tensor, per image b of
/// x [B, H, W, C], P = H·W:
///   s[b]      = Σ_p x[b, p] / P                     (a row of C floats; sum, then one division)
///   r[b]      = act(W1·s[b] + b1)                   W1 [R, C] (or [R, C, 1, 1]), R = SE width
///   e[b]      = sigmoid(W2·r[b] + b2)               W2 [C, R] (or [C, R, 1, 1])
///   y[b, p, c] = x[b, p, c]·e[b, c]                 (y may be x)
/// With <c>scaleInput</c> false the step stops at e (<see cref="Excite"/>), which the 1×1 convolution after it folds
/// into its weight (<see cref="ExciteFusion"/>); y is then not written. Given <c>pooledRows</c> (the depthwise step
/// that wrote x summed each of its rows, <see cref="DepthwiseConv2dNhwcStep.SumRows"/>), the squeeze adds those
/// per-row sums instead of reading x.
/// Geometry: the squeeze and the scale stream the whole tensor and dominate. Both cut each image's P pixels into
/// chunks of <see cref="RowsPerItem"/> pixels (≈ 64 KiB each) and run the B·chunks items over CpuParallel.For.
/// Squeeze: each item writes a partial sum row of C floats (NhwcRows.Sum, vectorised over channels with vector
/// accumulators kept in registers across pixels); the partial rows are added in chunk order on the caller.
/// Scale: each item multiplies its pixels' C values by e[b] (NhwcRows.Scale, Vector512/Vector256 over channels,
/// scalar tail). The two GEMVs (≤ 2·C·R MACs per image) run serially with TensorPrimitives.Dot in between.
/// Scratch (partial sums, s and e for every image, r for one) is allocated once; a run allocates nothing.
/// Reference: tests/HipVision.Tests/Reference/RefOps.Conv.cs SqueezeExcite (float64, NCHW) on the transposed data.
/// </summary>
internal sealed unsafe class SqueezeExciteNhwcStep : CpuStep
{
    readonly CpuTensor _x, _w1, _b1, _w2, _b2, _y;
    readonly OpKind _activation;
    readonly bool _scaleInput;
    readonly int _threads, _batch, _pixels, _channels, _reduced, _chunks, _partialRows;
    readonly float[] _partial, _squeezed, _excite, _reducedValues;
    readonly float* _pp, _sp, _ep, _pooled;
    readonly Action<int> _squeeze, _scale;

    public SqueezeExciteNhwcStep(string name, CpuTensor x, CpuTensor w1, CpuTensor b1, CpuTensor w2, CpuTensor b2, CpuTensor y, OpKind activation, bool scaleInput, int threads,
        DepthwiseConv2dNhwcStep? pooledRows = null)
        : base(name, $"SqueezeExcite(nhwc{(pooledRows != null ? ",pooled rows" : "")}{(scaleInput ? "" : ",excite only")})")
    {
        if (x.Shape.Length != 4 || !x.Shape.AsSpan().SequenceEqual(y.Shape))
            throw new ArgumentException("squeeze-excite NHWC expects x and y [B, H, W, C] of one shape");
        (_x, _w1, _b1, _w2, _b2, _y, _activation, _scaleInput, _threads) = (x, w1, b1, w2, b2, y, activation, scaleInput, threads);
        (_batch, _pixels, _channels, _reduced) = (x.Shape[0], x.Shape[1] * x.Shape[2], x.Shape[3], w1.Shape[0]);
        if (w1.Count != (long)_reduced * _channels || w2.Count != (long)_channels * _reduced || b1.Count != _reduced || b2.Count != _channels
            || w2.Shape[0] != _channels)
            throw new ArgumentException("squeeze-excite NHWC: w1 [R, C(,1,1)], b1 [R], w2 [C, R(,1,1)], b2 [C]");
        RowsPerItem = NhwcRows.RowsPerItem(_channels, _pixels, GlobalAvgPoolNhwcStep.MinFloatsPerItem);
        _chunks = (_pixels + RowsPerItem - 1) / RowsPerItem;
        _partialRows = _chunks;
        if (pooledRows != null)
        {
            if (pooledRows.RowsPerImage * x.Shape[2] != _pixels) throw new ArgumentException("squeeze-excite NHWC: the pooled rows do not cover x");
            _partialRows = pooledRows.RowsPerImage;
            _pooled = pooledRows.SumRows();
        }
        _partial = GC.AllocateArray<float>(pooledRows != null ? 1 : Math.Max(1, _batch * _chunks * _channels), pinned: true);
        _squeezed = GC.AllocateArray<float>(Math.Max(1, _batch * _channels), pinned: true);
        _excite = GC.AllocateArray<float>(Math.Max(1, _batch * _channels), pinned: true);
        _reducedValues = new float[_reduced];
        _pp = _pooled != null ? _pooled : (float*)Unsafe.AsPointer(ref _partial[0]);
        _sp = (float*)Unsafe.AsPointer(ref _squeezed[0]);
        _ep = (float*)Unsafe.AsPointer(ref _excite[0]);
        _squeeze = Squeeze;
        _scale = Scale;
    }

    /// <summary>e after each run: [B, C], image b's channel scales at <c>Excite + b·C</c>.</summary>
    internal float* Excite => _ep;

    /// <summary>Pixels per parallel work item.</summary>
    internal int RowsPerItem { get; }

    public override void Run()
    {
        int items = _batch * _chunks, c = _channels;
        if (_pooled == null) CpuParallel.For(_threads, items, _squeeze);
        var reduced = _reducedValues.AsSpan();
        for (int b = 0; b < _batch; b++)
        {
            GlobalAvgPoolNhwcStep.Combine(_pp + (long)b * _partialRows * c, _partialRows, c, _pixels, _sp + (long)b * c);
            var s = new ReadOnlySpan<float>(_sp + (long)b * c, c);
            for (int i = 0; i < _reduced; i++)
                reduced[i] = TensorPrimitives.Dot(new ReadOnlySpan<float>(_w1.Pointer + (long)i * c, c), s) + _b1.Pointer[i];
            UnaryStep.Apply(_activation, reduced, reduced);
            var e = new Span<float>(_ep + (long)b * c, c);
            for (int j = 0; j < c; j++)
                e[j] = TensorPrimitives.Dot(new ReadOnlySpan<float>(_w2.Pointer + (long)j * _reduced, _reduced), reduced) + _b2.Pointer[j];
            TensorPrimitives.Sigmoid(e, e);
        }
        if (_scaleInput) CpuParallel.For(_threads, items, _scale);
    }

    void Squeeze(int item)
    {
        int b = item / _chunks, first = item % _chunks * RowsPerItem, rows = Math.Min(RowsPerItem, _pixels - first);
        NhwcRows.Sum(_x.Pointer + ((long)b * _pixels + first) * _channels, rows, _channels, _pp + (long)item * _channels);
    }

    void Scale(int item)
    {
        int b = item / _chunks, first = item % _chunks * RowsPerItem, rows = Math.Min(RowsPerItem, _pixels - first);
        long offset = ((long)b * _pixels + first) * _channels;
        NhwcRows.Scale(_x.Pointer + offset, _y.Pointer + offset, rows, _channels, _ep + (long)b * _channels);
    }
}
