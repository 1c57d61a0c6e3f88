using System.Numerics.Tensors;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// Mean over one axis of x viewed as [outer, n, inner] → [outer, inner]. GlobalAvgPool of NCHW is the case
/// inner = 1 (x viewed as [B·C, H·W, 1]), summed contiguously with TensorPrimitives.
/// </summary>
internal sealed unsafe class ReduceMeanStep(string name, string op, CpuTensor x, CpuTensor y, long outer, int n, long inner) : CpuStep(name, op)
{
    public override void Run()
    {
        float scale = 1f / n;
        for (long o = 0; o < outer; o++)
        {
            if (inner == 1)
            {
                y.Pointer[o] = TensorPrimitives.Sum(new ReadOnlySpan<float>(x.Pointer + o * n, n)) * scale;
                continue;
            }
            var dst = new Span<float>(y.Pointer + o * inner, (int)inner);
            dst.Clear();
            for (int i = 0; i < n; i++)
                TensorPrimitives.Add(dst, new ReadOnlySpan<float>(x.Pointer + (o * n + i) * inner, (int)inner), dst);
            TensorPrimitives.Multiply(dst, scale, dst);
        }
    }
}
