using System.Numerics.Tensors;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// LayerNorm over the last dimension, per row: mean (with a correction pass), biased variance (two passes, for accuracy),
/// y = (x − mean)·(1/√(var + eps))·γ + β. Rows split over the threads.
/// </summary>
internal sealed unsafe class LayerNormStep(string name, CpuTensor x, CpuTensor gamma, CpuTensor beta, CpuTensor y, double eps, int threads) : CpuStep(name, "LayerNorm")
{
    public override void Run()
    {
        int cols = x.Shape[^1];
        int rows = (int)(x.Count / cols);
        int blocks = Math.Min(rows, threads * 4);
        CpuParallel.For(rows >= 16 ? threads : 1, blocks, blk =>
        {
            int start = (int)((long)rows * blk / blocks), end = (int)((long)rows * (blk + 1) / blocks);
            var g = new ReadOnlySpan<float>(gamma.Pointer, cols);
            var b = new ReadOnlySpan<float>(beta.Pointer, cols);
            for (int r = start; r < end; r++)
            {
                var src = new ReadOnlySpan<float>(x.Pointer + (long)r * cols, cols);
                var dst = new Span<float>(y.Pointer + (long)r * cols, cols);
                Normalize(src, g, b, dst, eps);
            }
        });
    }

    /// <summary>One row (dst may alias src).</summary>
    public static void Normalize(ReadOnlySpan<float> src, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> dst, double eps)
    {
        float mean = TensorPrimitives.Sum(src) / src.Length;
        TensorPrimitives.Subtract(src, mean, dst);
        // Corrected two-pass: when |mean| ≫ std the float sum (and mean's own rounding) is off by more than the
        // spread can tolerate; x − mean is exact there (Sterbenz), so its average is that error, removed here.
        float correction = TensorPrimitives.Sum(dst) / src.Length;
        TensorPrimitives.Subtract(dst, correction, dst);
        float variance = TensorPrimitives.SumOfSquares(dst) / src.Length;
        float inv = (float)(1.0 / Math.Sqrt(variance + eps));
        TensorPrimitives.Multiply(dst, inv, dst);
        TensorPrimitives.FusedMultiplyAdd(dst, gamma, beta, dst);
    }
}
