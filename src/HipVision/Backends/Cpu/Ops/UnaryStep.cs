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
                // e^−x goes to a small stack block, so dst may alias src exactly (fused and in-place callers).
                Span<float> t = stackalloc float[256];
                for (int start = 0; start < src.Length; start += t.Length)
                {
                    int n = Math.Min(t.Length, src.Length - start);
                    var block = src.Slice(start, n);
                    var e = t[..n];
                    TensorPrimitives.Negate(block, e);
                    TensorPrimitives.Exp(e, e);
                    TensorPrimitives.Add(e, 1f, e);
                    TensorPrimitives.Divide(block, e, dst.Slice(start, n));
                }
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a unary activation");
        }
    }
}
