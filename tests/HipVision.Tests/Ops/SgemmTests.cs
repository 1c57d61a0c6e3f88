using HipVision.Backends.Cpu;

namespace HipVision.Tests.Ops;

/// <summary>
/// <see cref="Sgemm"/> against a float64 product written like the formula, on fresh random inputs (seed printed).
/// Tolerance |got − want| ≤ 1e-4 + 1e-3·|want|, the house tolerance for GEMM. Padding between rows of C (ldc &gt; n)
/// holds a sentinel that must survive.
/// </summary>
public sealed unsafe class SgemmTests
{
    const float Sentinel = -12345f;

    [TestCase(0, 5, 3)]
    [TestCase(4, 0, 3)]
    [TestCase(1, 1, 1)]
    [TestCase(3, 1, 7)]
    [TestCase(1, 7, 1)]
    [TestCase(5, 4, 0)]
    public void Sgemm_packedDegenerateShape_matchesReference(int m, int n, int k)
    {
        PackedCase(m, n, k, linearWeight: true, bias: true, accumulate: false, threads: 1, padA: 0, padC: 0);
        PackedCase(m, n, k, linearWeight: false, bias: true, accumulate: true, threads: 2, padA: 1, padC: 2);
    }

    [TestCase(7, 33, 1025, 1)]
    [TestCase(7, 33, 1025, 2)]
    [TestCase(197, 33, 7, 2)]
    [TestCase(33, 1025, 197, 1)]
    [TestCase(33, 1025, 197, 2)]
    [TestCase(197, 64, 300, 2)]
    [TestCase(8, 1000, 768, 2)]
    [TestCase(13, 65, 31, 2)]
    public void Sgemm_packedOddShape_matchesReference(int m, int n, int k, int threads)
    {
        PackedCase(m, n, k, linearWeight: true, bias: false, accumulate: false, threads, padA: 0, padC: 0);
        PackedCase(m, n, k, linearWeight: false, bias: true, accumulate: false, threads, padA: 3, padC: 5);
        PackedCase(m, n, k, linearWeight: true, bias: true, accumulate: true, threads, padA: 16, padC: 1);
        PackedCase(m, n, k, linearWeight: false, bias: false, accumulate: true, threads, padA: 0, padC: 0);
    }

    [TestCase(1, 2304, 768)]
    [TestCase(2, 2304, 768)]
    public void Sgemm_vitFusedQkvShape_matchesReference(int threads, int n, int k) =>
        PackedCase(197, n, k, linearWeight: true, bias: true, accumulate: false, threads, padA: 0, padC: 0);

    [TestCase(1, 1, 1)]
    [TestCase(0, 3, 2)]
    [TestCase(3, 0, 2)]
    [TestCase(4, 3, 0)]
    [TestCase(7, 33, 1025)]
    [TestCase(33, 7, 257)]
    [TestCase(197, 197, 64)]
    [TestCase(197, 64, 197)]
    public void Sgemm_unpackedShape_matchesReference(int m, int n, int k)
    {
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
            {
                UnpackedCase(m, n, k, transA, transB, alpha: 1f, accumulate: false, pad: 0);
                UnpackedCase(m, n, k, transA, transB, alpha: 0.125f, accumulate: true, pad: 3);
            }
    }

    [Test]
    public void Sgemm_attentionScoresFromFusedQkv_matchReference()
    {
        // Q·Kᵀ for one head of a fused [197, 3·768] QKV buffer: Q at column 0, K at column 768, both stride 2304.
        const int tokens = 197, hidden = 768, headDim = 64;
        var rng = NewRandom();
        var qkv = RandomArray(rng, tokens * 3 * hidden);
        var scores = new float[tokens * tokens];
        var scratch = new float[Sgemm.ScratchFloats(tokens, tokens, headDim)];
        fixed (float* q = qkv, s = scores, w = scratch)
            Sgemm.MultiplyUnpacked(q, 3 * hidden, false, q + hidden, 3 * hidden, true, s, tokens,
                tokens, tokens, headDim, 0.125f, false, w);
        var want = new double[tokens * tokens];
        for (int i = 0; i < tokens; i++)
            for (int j = 0; j < tokens; j++)
            {
                double sum = 0;
                for (int p = 0; p < headDim; p++)
                    sum += (double)qkv[i * 3 * hidden + p] * qkv[j * 3 * hidden + hidden + p];
                want[i * tokens + j] = 0.125 * sum;
            }
        Compare("Q·Kᵀ", scores, want, tokens, tokens, tokens);
    }

    [Test]
    public void Sgemm_concurrentCallersSharingThePool_matchReference()
    {
        // Callers that find the pool busy run inline; every product must still be exact to tolerance.
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, caller =>
        {
            for (int repeat = 0; repeat < 3; repeat++)
                PackedCase(37 + caller, 300, 129, linearWeight: true, bias: true, accumulate: caller % 2 == 1, threads: 2, padA: caller, padC: 1);
        });
    }

    static void PackedCase(int m, int n, int k, bool linearWeight, bool bias, bool accumulate, int threads, int padA, int padC)
    {
        var rng = NewRandom();
        int lda = k + padA, ldc = n + padC;
        var a = RandomArray(rng, m * lda);
        var w = RandomArray(rng, n * k);
        var biasValues = RandomArray(rng, n);
        var c = InitialC(rng, m, n, ldc);
        var want = new double[m * ldc];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = (accumulate ? c[i * ldc + j] : 0.0) + (bias ? biasValues[j] : 0.0);
                for (int p = 0; p < k; p++)
                    sum += (double)a[i * lda + p] * (linearWeight ? w[j * k + p] : w[p * n + j]);
                want[i * ldc + j] = sum;
            }
        var packed = linearWeight ? PackedMatrix.FromLinearWeight(w, n, k) : PackedMatrix.FromRowMajor(w, k, n);
        Assert.That((packed.K, packed.N), Is.EqualTo((k, n)));
        fixed (float* pa = a, pb = biasValues, pc = c)
            Sgemm.Multiply(pa, lda, m, packed, bias ? pb : null, pc, ldc, accumulate, threads);
        Compare($"packed m={m} n={n} k={k} linear={linearWeight} bias={bias} acc={accumulate} threads={threads} lda={lda} ldc={ldc}",
            c, want, m, n, ldc);
    }

    static void UnpackedCase(int m, int n, int k, bool transA, bool transB, float alpha, bool accumulate, int pad)
    {
        var rng = NewRandom();
        int lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad;
        var a = RandomArray(rng, (transA ? k : m) * lda);
        var b = RandomArray(rng, (transB ? n : k) * ldb);
        var c = InitialC(rng, m, n, ldc);
        var want = new double[m * ldc];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                    sum += (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                want[i * ldc + j] = alpha * sum + (accumulate ? c[i * ldc + j] : 0.0);
            }
        var scratch = new float[Sgemm.ScratchFloats(m, n, k)];
        fixed (float* pa = a, pb = b, pc = c, ps = scratch)
            Sgemm.MultiplyUnpacked(pa, lda, transA, pb, ldb, transB, pc, ldc, m, n, k, alpha, accumulate, ps);
        Compare($"unpacked m={m} n={n} k={k} transA={transA} transB={transB} alpha={alpha} acc={accumulate} pad={pad}",
            c, want, m, n, ldc);
    }

    static Random NewRandom()
    {
        int seed = Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        return new Random(seed);
    }

    static float[] RandomArray(Random rng, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = (float)(rng.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>Random values in the m×n part of C, the sentinel in the row padding.</summary>
    static float[] InitialC(Random rng, int m, int n, int ldc)
    {
        var c = new float[m * ldc];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < ldc; j++)
                c[i * ldc + j] = j < n ? (float)(rng.NextDouble() * 2 - 1) : Sentinel;
        return c;
    }

    static void Compare(string what, float[] got, double[] want, int m, int n, int ldc)
    {
        double maxDiff = 0, diffSq = 0, wantSq = 0;
        int bad = -1, badCount = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < ldc; j++)
            {
                int index = i * ldc + j;
                if (j >= n)
                {
                    Assert.That(got[index], Is.EqualTo(Sentinel), $"{what}: padding of C overwritten at ({i}, {j})");
                    continue;
                }
                double diff = Math.Abs(got[index] - want[index]);
                maxDiff = Math.Max(maxDiff, diff);
                diffSq += diff * diff;
                wantSq += want[index] * want[index];
                if (!(diff <= 1e-4 + 1e-3 * Math.Abs(want[index])))
                {
                    badCount++;
                    if (bad < 0) bad = index;
                }
            }
        double relative = wantSq > 0 ? Math.Sqrt(diffSq / wantSq) : Math.Sqrt(diffSq);
        TestContext.Out.WriteLine($"{what}: max |Δ| {maxDiff:g3}, ‖Δ‖/‖want‖ {relative:g3}");
        if (bad >= 0)
            Assert.Fail($"{what}: {badCount} elements out of tolerance; first at ({bad / ldc}, {bad % ldc}): " +
                $"got {got[bad]}, want {want[bad]}; max |Δ| {maxDiff:g3}, ‖Δ‖/‖want‖ {relative:g3}");
    }
}
