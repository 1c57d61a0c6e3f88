using System.Numerics.Tensors;
using HipVision.Graph;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// Elementwise add/multiply with NumPy broadcasting. Fast paths: equal shapes; b repeating over a's leading
/// dimensions (position embeddings, biases); b one value per (n, c) plane of an NCHW tensor (channel scales).
/// Anything else goes through the general strided loop.
/// </summary>
internal sealed unsafe class BinaryStep(string name, OpKind kind, CpuTensor a, CpuTensor b, CpuTensor y, int threads) : CpuStep(name, kind.ToString())
{
    public override void Run()
    {
        long count = y.Count;
        if (a.Count == count && b.Count == count)
            Apply(new ReadOnlySpan<float>(a.Pointer, (int)count), new ReadOnlySpan<float>(b.Pointer, (int)count), new Span<float>(y.Pointer, (int)count));
        else if (a.Count == count && IsSuffixRepeat(b.Shape, y.Shape))
        {
            int inner = (int)b.Count, outer = (int)(count / inner);
            var bs = new ReadOnlySpan<float>(b.Pointer, inner);
            for (int o = 0; o < outer; o++)
                Apply(new ReadOnlySpan<float>(a.Pointer + (long)o * inner, inner), bs, new Span<float>(y.Pointer + (long)o * inner, inner));
        }
        else if (a.Count == count && IsPerPlane(b.Shape, y.Shape, out int plane))
        {
            int planes = (int)(count / plane);
            CpuParallel.For(planes >= 8 ? threads : 1, planes, p =>
            {
                var src = new ReadOnlySpan<float>(a.Pointer + (long)p * plane, plane);
                var dst = new Span<float>(y.Pointer + (long)p * plane, plane);
                if (kind == OpKind.Add) TensorPrimitives.Add(src, b.Pointer[p], dst);
                else TensorPrimitives.Multiply(src, b.Pointer[p], dst);
            });
        }
        else
            General();
    }

    void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> dst)
    {
        if (kind == OpKind.Add) TensorPrimitives.Add(x, z, dst);
        else TensorPrimitives.Multiply(x, z, dst);
    }

    // b's shape (right-aligned) equals the trailing dimensions of y, with only leading 1s before them.
    static bool IsSuffixRepeat(int[] b, int[] y)
    {
        int offset = y.Length - b.Length, first = 0;
        while (first < b.Length && b[first] == 1) first++;
        for (int i = first; i < b.Length; i++) if (b[i] != y[i + offset]) return false;
        return true;
    }

    // b is [N, C, 1, …, 1] (or broadcastable to it) against y [N, C, spatial…].
    static bool IsPerPlane(int[] b, int[] y, out int plane)
    {
        plane = 0;
        if (b.Length != y.Length || y.Length < 3 || b[0] != y[0] || b[1] != y[1]) return false;
        for (int i = 2; i < b.Length; i++) if (b[i] != 1) return false;
        plane = (int)(ShapeMath.Count(y) / ((long)y[0] * y[1]));
        return true;
    }

    void General()
    {
        int rank = y.Shape.Length;
        var sa = ShapeMath.BroadcastStrides(a.Shape, y.Shape);
        var sb = ShapeMath.BroadcastStrides(b.Shape, y.Shape);
        var index = new int[rank];
        long count = y.Count;
        for (long i = 0; i < count; i++)
        {
            long ia = 0, ib = 0;
            for (int d = 0; d < rank; d++) { ia += index[d] * sa[d]; ib += index[d] * sb[d]; }
            y.Pointer[i] = kind == OpKind.Add ? a.Pointer[ia] + b.Pointer[ib] : a.Pointer[ia] * b.Pointer[ib];
            for (int d = rank - 1; d >= 0 && ++index[d] == y.Shape[d]; d--) index[d] = 0;
        }
    }
}
