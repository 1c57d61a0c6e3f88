using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>
/// Exact GELU (torch.nn.GELU(approximate='none'), HF "gelu") against <see cref="RefOps.Gelu"/>, whose erf is
/// itself checked against published double values; elementwise tolerance 1e-6/1e-5 over the whole real range
/// that matters (|x| ≤ 10, deep negative tail included).
/// </summary>
public sealed class GeluTests
{
    [TestCase(0.0, 0.0)]
    [TestCase(0.5, 0.5204998778130465)]
    [TestCase(1.0, 0.8427007929497149)]
    [TestCase(2.0, 0.9953222650189527)]
    [TestCase(-1.0, -0.8427007929497149)]
    public void Erf_reference_matchesPublishedValues(double x, double want) =>
        Assert.That(RefOps.Erf(x), Is.EqualTo(want).Within(2e-16 + 2e-16 * Math.Abs(want)));

    [TestCase(2.5, 0.0004069520174449589)]
    [TestCase(3.0, 2.2090496998585438e-05)]
    [TestCase(4.0, 1.541725790028002e-08)]
    [TestCase(5.0, 1.5374597944280351e-12)]
    [TestCase(6.0, 2.1519736712498916e-17)]
    [TestCase(1.0, 0.15729920705028513)]
    public void Erfc_reference_matchesPublishedValues(double x, double want) =>
        Assert.That(RefOps.Erfc(x), Is.EqualTo(want).Within(1e-14 * want));

    [Test]
    public void Erf_seriesAndContinuedFraction_agreeWhereBothConverge()
    {
        for (double x = 1.5; x <= 5; x += 0.125)
            Assert.That(RefOps.ErfSeries(x), Is.EqualTo(1 - RefOps.ErfcContinuedFraction(x)).Within(1e-15), $"x={x}");
    }

    [TestCase(1, 1)]
    [TestCase(7, 1)]
    [TestCase(33, 1)]
    [TestCase(1025, 2)]
    [TestCase(197 * 3072, 1)]
    [TestCase(197 * 3072, 2)]
    public void Gelu_shapes_matchReference(int count, int threads) => UnaryCase(new CpuBackend(threads), OpKind.Gelu, [count], -10, 10);

    [Test]
    public void Gelu_everyFloatStepNearZeroAndTails_matchesReference()
    {
        var x = new float[4001];
        for (int i = 0; i < x.Length; i++) x[i] = (i - 2000) / 200f; // −10 … 10 in steps of 0.005
        var got = RunUnary(new CpuBackend(1), OpKind.Gelu, x, [x.Length]);
        TensorAssert.Close(got, RefOps.Map(RefOps.D(x), RefOps.Gelu), 1e-6, 1e-5, "gelu grid −10…10");
    }

    internal static void UnaryCase(IBackend be, OpKind kind, int[] shape, double lo, double hi)
    {
        string what = $"{kind} {OpRunner.Shape(shape)} in [{lo}, {hi}) on {be.Name}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(shape, lo, hi);
        var got = RunUnary(be, kind, x, shape);
        Func<double, double> f = kind switch
        {
            OpKind.Gelu => RefOps.Gelu,
            OpKind.Relu6 => RefOps.Relu6,
            OpKind.Silu => RefOps.Silu,
            OpKind.Sigmoid => RefOps.Sigmoid,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        TensorAssert.Close(got, RefOps.Map(RefOps.D(x), f), 1e-6, 1e-5, what);
    }

    internal static float[] RunUnary(IBackend be, OpKind kind, float[] x, int[] shape)
    {
        var g = new GraphBuilder();
        var input = g.Input("x", shape);
        var node = kind switch
        {
            OpKind.Gelu => g.Gelu(input),
            OpKind.Relu6 => g.Relu6(input),
            OpKind.Silu => g.Silu(input),
            OpKind.Sigmoid => g.Sigmoid(input),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return OpRunner.Run(be, g, node, x);
    }
}
