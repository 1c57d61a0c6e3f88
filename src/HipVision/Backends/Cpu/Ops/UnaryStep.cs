using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
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
                Relu6(src, dst);
                break;
            case OpKind.Sigmoid:
                TensorPrimitives.Sigmoid(src, dst);
                break;
            case OpKind.Silu:
                // x·sigmoid(x) written as x / (1 + e^−x) keeps one rounding fewer than multiplying two results.
                CpuMath.Silu(src, dst);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a unary activation");
        }
    }

    /// <summary>
    /// min(max(x, 0), 6) with the hardware min/max: TensorPrimitives.Max then Min with a scalar measured 22–75 µs
    /// per 16k floats against 1.7 µs for this loop (.NET 10, Zen 4, AVX-512). Operand order keeps NaN propagating
    /// as torch's relu6 does: x86 vmaxps/vminps return the second operand when either is NaN.
    /// </summary>
    internal static unsafe void Relu6(ReadOnlySpan<float> src, Span<float> dst)
    {
        int n = src.Length, i = 0;
        fixed (float* x = src, y = dst)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                var six = Vector512.Create(6f);
                for (; i + 16 <= n; i += 16)
                    Vector512.MinNative(six, Vector512.MaxNative(Vector512<float>.Zero, Vector512.Load(x + i))).Store(y + i);
            }
            if (Vector256.IsHardwareAccelerated)
            {
                var six = Vector256.Create(6f);
                for (; i + 8 <= n; i += 8)
                    Vector256.MinNative(six, Vector256.MaxNative(Vector256<float>.Zero, Vector256.Load(x + i))).Store(y + i);
            }
            for (; i < n; i++) y[i] = Math.Min(Math.Max(x[i], 0f), 6f);   // Math.Max/Min return NaN for NaN
        }
    }
}
