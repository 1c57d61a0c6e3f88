using HipVision.Graph;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// Transpose, Slice and Expand as one strided gather: y[i₀, …, iₙ] = x[offset + Σ i_d·stride_d], with the
/// strides chosen per op at compile time (permuted, range-shifted, or 0 on broadcast dimensions).
/// The innermost dimension is copied as a run when its stride is 1.
/// </summary>
internal sealed unsafe class StridedCopyStep(string name, string op, CpuTensor x, CpuTensor y, long offset, long[] strides) : CpuStep(name, op)
{
    public static StridedCopyStep Transpose(string name, CpuTensor x, CpuTensor y, int[] permutation)
    {
        var own = ShapeMath.Strides(x.Shape);
        return new(name, "Transpose", x, y, 0, permutation.Select(p => own[p]).ToArray());
    }

    public static StridedCopyStep Slice(string name, CpuTensor x, CpuTensor y, SliceAttributes s)
    {
        var own = ShapeMath.Strides(x.Shape);
        return new(name, "Slice", x, y, s.Start * own[s.Axis], own);
    }

    public static StridedCopyStep Expand(string name, CpuTensor x, CpuTensor y) =>
        new(name, "Expand", x, y, 0, ShapeMath.BroadcastStrides(x.Shape, y.Shape));

    public override void Run()
    {
        int rank = y.Shape.Length;
        int inner = rank == 0 ? 1 : y.Shape[^1];
        long innerStride = rank == 0 ? 1 : strides[^1];
        long outer = y.Count / Math.Max(inner, 1);
        var index = new int[Math.Max(rank - 1, 0)];
        float* dst = y.Pointer;
        for (long r = 0; r < outer; r++)
        {
            long src = offset;
            for (int d = 0; d < index.Length; d++) src += index[d] * strides[d];
            if (innerStride == 1)
                new ReadOnlySpan<float>(x.Pointer + src, inner).CopyTo(new Span<float>(dst, inner));
            else
                for (int i = 0; i < inner; i++) dst[i] = x.Pointer[src + i * innerStride];
            dst += inner;
            for (int d = index.Length - 1; d >= 0 && ++index[d] == y.Shape[d]; d--) index[d] = 0;
        }
    }
}
