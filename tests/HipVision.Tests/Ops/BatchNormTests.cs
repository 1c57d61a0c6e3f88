using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>
/// BatchNorm left unfolded (its input is not a convolution) against <see cref="RefOps.BatchNorm"/>
/// (eval-mode torch.nn.BatchNorm2d); elementwise tolerance 1e-6/1e-5. Folding is tested in Graph/BatchNormFoldingTests.
/// </summary>
public sealed class BatchNormTests
{
    [TestCase(new[] { 1, 1, 1, 1 }, 1e-5)]
    [TestCase(new[] { 2, 33, 7, 5 }, 1e-3)]
    [TestCase(new[] { 1, 32, 112, 112 }, 1e-3)]
    [TestCase(new[] { 7, 33 }, 1e-5)]
    [TestCase(new[] { 2, 7, 1025 }, 1e-5)]
    public void BatchNorm_unfolded_matchesReference(int[] shape, double eps) => BatchNormCase(new CpuBackend(1), shape, eps);

    internal static void BatchNormCase(IBackend be, int[] shape, double eps)
    {
        int c = shape[1];
        string what = $"batchnorm {OpRunner.Shape(shape)} eps={eps} on {be.Name}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(shape, -3, 3);
        var gamma = rng.Uniform(c, 0.5, 1.5);
        var beta = rng.Uniform(c);
        var mean = rng.Uniform(c);
        var variance = rng.Uniform(c, 0.05, 2);
        var g = new GraphBuilder();
        var node = g.BatchNorm(g.Input("x", shape), g.Constant("gamma", [c], gamma), g.Constant("beta", [c], beta),
            g.Constant("mean", [c], mean), g.Constant("var", [c], variance), eps);
        var got = OpRunner.Run(be, g, node, x);
        var want = RefOps.BatchNorm(RefOps.D(x), shape, RefOps.D(gamma), RefOps.D(beta), RefOps.D(mean), RefOps.D(variance), eps);
        TensorAssert.Close(got, want, 1e-6, 1e-5, what);
    }
}
