using System.Numerics.Tensors;
using HipVision.Graph;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// Squeeze-and-excitation (HF EfficientNetSqueezeExciteLayer), per image b of x [B, C, H, W], P = H·W:
///   s[b,c] = Σ_hw x[b,c] / P                         (AdaptiveAvgPool2d(1): sum, then one division)
///   r[b]   = act(W1·s[b] + b1)                        W1 [R, C], R = SE width
///   e[b]   = sigmoid(W2·r[b] + b2)                    W2 [C, R]
///   y[b,c] = x[b,c]·e[b,c]
/// Geometry: the pooling and the scaling stream the whole tensor (B·C·P floats, 4 MB per pass for B7's
/// 64×300×300 blocks) and dominate; both run over all B·C channel planes at once, cut into items of
/// <see cref="ChannelsPerItem"/> whole planes (≥ <see cref="MinFloatsPerItem"/> floats, so a fork-join
/// costs less than the work it hands out), each plane one vectorised TensorPrimitives Sum or Multiply.
/// The two matrix-vector products are ≤ 2·C·R MACs per image (0.4 M for B7's widest block), done serially
/// with TensorPrimitives.Dot between the two parallel passes. Scratch (s and e for every image, r for one)
/// is allocated once per plan; a run allocates nothing.
/// </summary>
internal sealed unsafe class SqueezeExciteStep : CpuStep
{
    /// <summary>Smallest amount of streamed data worth one work item (64 KiB).</summary>
    const int MinFloatsPerItem = 16 * 1024;

    readonly CpuTensor _x, _w1, _b1, _w2, _b2, _y;
    readonly OpKind _activation;
    readonly int _threads, _batch, _channels, _plane, _reduced;
    readonly float[] _squeezed, _excite, _reducedValues;

    public SqueezeExciteStep(string name, CpuTensor x, CpuTensor w1, CpuTensor b1, CpuTensor w2, CpuTensor b2, CpuTensor y, OpKind activation, int threads)
        : base(name, "SqueezeExcite")
    {
        (_x, _w1, _b1, _w2, _b2, _y, _activation, _threads) = (x, w1, b1, w2, b2, y, activation, threads);
        (_batch, _channels, _plane, _reduced) = (x.Shape[0], x.Shape[1], x.Shape[2] * x.Shape[3], w1.Shape[0]);
        int planes = _batch * _channels;
        ChannelsPerItem = Math.Min(planes, Math.Max(1, (MinFloatsPerItem + _plane - 1) / _plane));
        Items = (planes + ChannelsPerItem - 1) / ChannelsPerItem;
        _squeezed = new float[planes];
        _excite = new float[planes];
        _reducedValues = new float[_reduced];
    }

    /// <summary>Whole channel planes per parallel work item.</summary>
    internal int ChannelsPerItem { get; }

    /// <summary>Parallel work items per pass.</summary>
    internal int Items { get; }

    struct Pass
    {
        public float* X, Y, PerPlane;
        public int Plane, Planes, ChannelsPerItem;
    }

    public override void Run()
    {
        fixed (float* squeezed = _squeezed, excite = _excite)
        {
            var pass = new Pass { X = _x.Pointer, Y = _y.Pointer, PerPlane = squeezed, Plane = _plane, Planes = _batch * _channels, ChannelsPerItem = ChannelsPerItem };
            CpuParallel.For(_threads, Items, &Squeeze, &pass);

            var reduced = _reducedValues.AsSpan();
            for (int b = 0; b < _batch; b++)
            {
                var s = new ReadOnlySpan<float>(squeezed + (long)b * _channels, _channels);
                for (int i = 0; i < _reduced; i++)
                    reduced[i] = TensorPrimitives.Dot(new ReadOnlySpan<float>(_w1.Pointer + (long)i * _channels, _channels), s) + _b1.Pointer[i];
                UnaryStep.Apply(_activation, reduced, reduced);
                var e = new Span<float>(excite + (long)b * _channels, _channels);
                for (int c = 0; c < _channels; c++)
                    e[c] = TensorPrimitives.Dot(new ReadOnlySpan<float>(_w2.Pointer + (long)c * _reduced, _reduced), reduced) + _b2.Pointer[c];
                TensorPrimitives.Sigmoid(e, e);
            }

            pass.PerPlane = excite;
            CpuParallel.For(_threads, Items, &Scale, &pass);
        }
    }

    static void Squeeze(void* state, int item)
    {
        var p = (Pass*)state;
        int first = item * p->ChannelsPerItem, end = Math.Min(p->Planes, first + p->ChannelsPerItem);
        for (int i = first; i < end; i++)
            p->PerPlane[i] = TensorPrimitives.Sum(new ReadOnlySpan<float>(p->X + (long)i * p->Plane, p->Plane)) / p->Plane;
    }

    static void Scale(void* state, int item)
    {
        var p = (Pass*)state;
        int first = item * p->ChannelsPerItem, end = Math.Min(p->Planes, first + p->ChannelsPerItem);
        for (int i = first; i < end; i++)
        {
            long offset = (long)i * p->Plane;
            TensorPrimitives.Multiply(new ReadOnlySpan<float>(p->X + offset, p->Plane), p->PerPlane[i], new Span<float>(p->Y + offset, p->Plane));
        }
    }
}
