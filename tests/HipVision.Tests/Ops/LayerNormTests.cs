using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>LayerNorm (torch.nn.LayerNorm, biased variance) against <see cref="RefOps.LayerNorm"/>; reduction tolerance 1e-5/1e-4.</summary>
public sealed class LayerNormTests
{
    [TestCase(1, 1, 1e-12)]
    [TestCase(1, 7, 1e-5)]
    [TestCase(7, 1, 1e-5)]
    [TestCase(7, 33, 1e-6)]
    [TestCase(33, 1025, 1e-12)]
    [TestCase(197, 768, 1e-12)]
    [TestCase(394, 768, 1e-12)]
    public void LayerNorm_shapes_matchReference(int rows, int cols, double eps)
    {
        LayerNormCase(new CpuBackend(1), [rows, cols], eps, offset: 0);
        LayerNormCase(new CpuBackend(2), [rows, cols], eps, offset: 0);
    }

    [Test]
    public void LayerNorm_rank3WithLargeMean_matchesReference() =>
        LayerNormCase(new CpuBackend(2), [2, 197, 768], 1e-12, offset: 50);

    internal static void LayerNormCase(IBackend be, int[] shape, double eps, double offset)
    {
        int cols = shape[^1];
        string what = $"layernorm {OpRunner.Shape(shape)} eps={eps} offset={offset} on {be.Name}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(shape, offset - 2, offset + 2);
        var gamma = rng.Uniform(cols, 0.5, 1.5);
        var beta = rng.Uniform(cols);
        var g = new GraphBuilder();
        var node = g.LayerNorm(g.Input("x", shape), g.Constant("gamma", [cols], gamma), g.Constant("beta", [cols], beta), eps);
        var got = OpRunner.Run(be, g, node, x);
        TensorAssert.Close(got, RefOps.LayerNorm(RefOps.D(x), cols, RefOps.D(gamma), RefOps.D(beta), eps), 1e-5, 1e-4, what);
    }
}
