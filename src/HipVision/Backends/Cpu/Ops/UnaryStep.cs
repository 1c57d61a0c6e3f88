using System.Buffers;
using System.Numerics.Tensors;
using HipVision.Graph;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>Elementwise activations (GELU, ReLU6, SiLU, sigmoid), split into chunks over the threads.</summary>
internal sealed class UnaryStep(string name, OpKind kind, CpuTensor x, CpuTensor y, int threads) : CpuStep(name, kind.ToString())
{
    const int Chunk = 1 << 14;

    public override unsafe void Run()
    {
        long count = x.Count;
        int chunks = (int)((count + Chunk - 1) / Chunk);
        CpuParallel.For(chunks > 1 ? threads : 1, chunks, c =>
        {
            long start = (long)c * Chunk;
            int n = (int)Math.Min(Chunk, count - start);
            var src = new ReadOnlySpan<float>(x.Pointer + start, n);
            var dst = new Span<float>(y.Pointer + start, n);
            Apply(kind, src, dst);
        });
    }

    /// <summary>dst = f(src) for one of the unary activations (dst may alias src).</summary>
    public static void Apply(OpKind kind, ReadOnlySpan<float> src, Span<float> dst)
    {
        switch (kind)
        {
            case OpKind.Gelu:
                src.CopyTo(dst);
                CpuMath.GeluInPlace(dst);
                break;
            case OpKind.Relu6:
                TensorPrimitives.Max(src, 0f, dst);
                TensorPrimitives.Min(dst, 6f, dst);
                break;
            case OpKind.Sigmoid:
                TensorPrimitives.Sigmoid(src, dst);
                break;
            case OpKind.Silu:
            {
                // x·sigmoid(x) written as x / (1 + e^−x) keeps one rounding fewer than multiplying two results.
                // The last step reads x again, so when dst aliases src (squeeze-excite works in place) x is saved first.
                float[]? saved = null;
                if (src.Overlaps(dst))
                {
                    saved = ArrayPool<float>.Shared.Rent(src.Length);
                    src.CopyTo(saved);
                    src = saved.AsSpan(0, src.Length);
                }
                TensorPrimitives.Negate(src, dst);
                TensorPrimitives.Exp(dst, dst);
                TensorPrimitives.Add(dst, 1f, dst);
                TensorPrimitives.Divide(src, dst, dst);
                if (saved != null) ArrayPool<float>.Shared.Return(saved);
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a unary activation");
        }
    }
}
