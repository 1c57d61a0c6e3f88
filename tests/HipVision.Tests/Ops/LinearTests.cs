using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>Linear (x·Wᵀ + b, torch.nn.functional.linear) against <see cref="RefOps.Linear"/>; GEMM tolerance 1e-4/1e-3.</summary>
public sealed class LinearTests
{
    [TestCase(1, 1, 1, 1, true)]
    [TestCase(1, 1, 1, 7, false)]
    [TestCase(7, 1, 33, 1, true)]
    [TestCase(7, 33, 1025, 1, true)]
    [TestCase(7, 33, 1025, 2, false)]
    [TestCase(33, 1025, 7, 2, true)]
    public void Linear_oddShapes_matchReference(int rows, int inFeatures, int outFeatures, int threads, bool bias) =>
        LinearCase(new CpuBackend(threads), [rows, inFeatures], outFeatures, bias);

    [TestCase(1, 768)]
    [TestCase(2, 2304)]
    public void Linear_vit197x768_matchesReference(int threads, int outFeatures) =>
        LinearCase(new CpuBackend(threads), [1, 197, 768], outFeatures, bias: true);

    [Test]
    public void Linear_rank3Batch2_matchesReference() =>
        LinearCase(new CpuBackend(2), [2, 13, 65], 31, bias: true);

    internal static void LinearCase(IBackend be, int[] xShape, int outFeatures, bool bias)
    {
        int inFeatures = xShape[^1];
        var rng = TestRandom.Create($"linear {OpRunner.Shape(xShape)}→{outFeatures} bias={bias} on {be.Name}");
        var x = rng.Uniform(xShape);
        var w = rng.Uniform(outFeatures * inFeatures);
        var b = rng.Uniform(outFeatures);
        var g = new GraphBuilder();
        var node = g.Linear(g.Input("x", xShape), g.Constant("w", [outFeatures, inFeatures], w), bias ? g.Constant("b", [outFeatures], b) : null);
        var got = OpRunner.Run(be, g, node, x);
        var want = RefOps.Linear(RefOps.D(x), RefOps.D(w), bias ? RefOps.D(b) : null, inFeatures, outFeatures);
        TensorAssert.Close(got, want, 1e-4, 1e-3, $"linear {OpRunner.Shape(xShape)}→{outFeatures}");
    }
}
