using System.Diagnostics;
using HipVision.Backends.Cpu;

namespace KernelBench;

/// <summary>
/// SGEMM throughput at the ViT-B/16 shapes (docs/perf.md, "SGEMM alone"): C = A·B + bias with a packed Linear weight,
/// 1 and 2 threads, M = 197 (batch 1) and 1576 (batch 8), the classifier at M = 1 and 8; then the two unpacked
/// attention products of one head (single-threaded). Best of <c>repeats</c> calls per shape.
/// </summary>
static unsafe class SgemmBench
{
    public static void Run(int repeats)
    {
        Console.WriteLine($"SGEMM, ViT-B/16 shapes, C = A·B + bias, packed Linear weight (best of {repeats})");
        var rng = new Random(1);
        var a = RandomArray(rng, 1576 * 3072);
        var c = new float[1576 * 3072];
        var bias = RandomArray(rng, 3072);
        foreach (var (n, k) in new[] { (2304, 768), (768, 768), (3072, 768), (768, 3072), (1000, 768) })
        {
            var packed = PackedMatrix.FromLinearWeight(RandomArray(rng, n * k), n, k);
            foreach (int m in n == 1000 ? new[] { 1, 8 } : new[] { 197, 1576 })
                foreach (int threads in new[] { 1, 2 })
                    fixed (float* pa = a, pc = c, pb = bias)
                    {
                        float* pA = pa, pB = pb, pC = pc;
                        Report($"M={m,5} N={n,5} K={k,5} threads={threads}", m, n, k, repeats,
                            () => Sgemm.Multiply(pA, k, m, packed, pB, pC, n, false, threads));
                    }
        }
        Attention(rng, repeats);
        Console.WriteLine();
    }

    /// <summary>One head of a fused [197, 3·768] QKV buffer: scores = Q·Kᵀ/8 (K read transposed, stride 2304), then scores·V.</summary>
    static void Attention(Random rng, int repeats)
    {
        const int tokens = 197, hidden = 768, headDim = 64, stride = 3 * hidden;
        var qkv = RandomArray(rng, tokens * stride);
        var scores = new float[tokens * tokens];
        var output = new float[tokens * headDim];
        var scratch = new float[Math.Max(Sgemm.ScratchFloats(tokens, tokens, headDim), Sgemm.ScratchFloats(tokens, headDim, tokens))];
        fixed (float* q = qkv, s = scores, o = output, w = scratch)
        {
            float* pq = q, ps = s, po = o, pw = w;
            Report($"attention Q·Kᵀ M={tokens} N={tokens} K={headDim} threads=1", tokens, tokens, headDim, repeats,
                () => Sgemm.MultiplyUnpacked(pq, stride, false, pq + hidden, stride, true, ps, tokens,
                    tokens, tokens, headDim, 0.125f, false, pw));
            Report($"attention S·V   M={tokens} N={headDim} K={tokens} threads=1", tokens, headDim, tokens, repeats,
                () => Sgemm.MultiplyUnpacked(ps, tokens, false, pq + 2 * hidden, stride, false, po, headDim,
                    tokens, headDim, tokens, 1f, false, pw));
        }
    }

    static void Report(string shape, int m, int n, int k, int repeats, Action multiply)
    {
        double best = double.MaxValue;
        for (int repeat = 0; repeat < repeats; repeat++)
        {
            long start = Stopwatch.GetTimestamp();
            multiply();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        Console.WriteLine($"{shape}: {2.0 * m * n * k / best / 1e9,6:F1} GFLOP/s (best of {repeats}: {best * 1e6:F0} µs)");
    }

    static float[] RandomArray(Random rng, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = (float)(rng.NextDouble() * 2 - 1);
        return values;
    }
}
