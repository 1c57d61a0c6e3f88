using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>ReLU6, SiLU and sigmoid against the float64 references; elementwise tolerance 1e-6/1e-5 (GELU has its own class).</summary>
public sealed class ActivationTests
{
    static readonly OpKind[] Kinds = [OpKind.Relu6, OpKind.Silu, OpKind.Sigmoid];

    [TestCase(1, 1)]
    [TestCase(7, 1)]
    [TestCase(1025, 2)]
    [TestCase(32 * 112 * 112, 1)]
    [TestCase(32 * 112 * 112, 2)]
    public void Activation_shapes_matchReference(int count, int threads)
    {
        foreach (var kind in Kinds) GeluTests.UnaryCase(new CpuBackend(threads), kind, [count], -10, 10);
    }

    [Test]
    public void Activation_rank4_matchesReference()
    {
        foreach (var kind in Kinds) GeluTests.UnaryCase(new CpuBackend(2), kind, [2, 33, 7, 5], -8, 8);
    }

    [Test]
    public void Activation_saturatingInputs_matchReference()
    {
        float[] values = [-1000f, -100f, -88.5f, -20f, -6f, -1e-30f, 0f, 1e-30f, 5.999f, 6f, 6.001f, 20f, 88.5f, 100f, 1000f, -0.5f];
        // Three copies and a scalar tail, so every value goes through the 16-wide vector path too.
        float[] x = [.. values, .. values, .. values, .. values[..5]];
        foreach (var kind in Kinds)
        {
            var got = GeluTests.RunUnary(new CpuBackend(1), kind, x, [x.Length]);
            Func<double, double> f = kind switch { OpKind.Relu6 => RefOps.Relu6, OpKind.Silu => RefOps.Silu, _ => RefOps.Sigmoid };
            TensorAssert.Close(got, RefOps.Map(RefOps.D(x), f), 1e-6, 1e-5, $"{kind} saturating");
        }
    }

    [Test]
    public void Silu_infinitiesAndNaN_followTorch()
    {
        // torch: silu(inf) = inf, silu(-inf) = -inf·sigmoid(-inf) = NaN, silu(NaN) = NaN; 16 lanes each for the vector path.
        float[] x = [.. Enumerable.Repeat(float.PositiveInfinity, 16), .. Enumerable.Repeat(float.NegativeInfinity, 16), .. Enumerable.Repeat(float.NaN, 17)];
        var got = GeluTests.RunUnary(new CpuBackend(1), OpKind.Silu, x, [x.Length]);
        Assert.Multiple(() =>
        {
            Assert.That(got[..16], Is.All.EqualTo(float.PositiveInfinity));
            Assert.That(got[16..].All(float.IsNaN), $"-inf and NaN give NaN: {string.Join(", ", got[16..])}");
        });
    }
}
