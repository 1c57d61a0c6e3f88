using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>Softmax over the last dimension (torch.softmax, max-subtracted) against <see cref="RefOps.Softmax"/>; reduction tolerance 1e-5/1e-4.</summary>
public sealed class SoftmaxTests
{
    [TestCase(1, 1, 1)]
    [TestCase(7, 1, 1)]
    [TestCase(1, 7, 1)]
    [TestCase(7, 33, 1)]
    [TestCase(33, 1025, 2)]
    [TestCase(12 * 197, 197, 1)]
    [TestCase(12 * 197, 197, 2)]
    public void Softmax_shapes_matchReference(int rows, int cols, int threads) =>
        SoftmaxCase(new CpuBackend(threads), [rows, cols], -4, 4);

    [TestCase(100, 1)]
    [TestCase(-100, 1)]
    [TestCase(1000, 2)]
    public void Softmax_largeLogits_matchReference(double offset, int threads) =>
        SoftmaxCase(new CpuBackend(threads), [7, 1025], offset - 20, offset + 20);

    internal static void SoftmaxCase(IBackend be, int[] shape, double lo, double hi)
    {
        string what = $"softmax {OpRunner.Shape(shape)} in [{lo}, {hi}) on {be.Name}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(shape, lo, hi);
        var g = new GraphBuilder();
        var got = OpRunner.Run(be, g, g.Softmax(g.Input("x", shape)), x);
        TensorAssert.Close(got, RefOps.Softmax(RefOps.D(x), shape[^1]), 1e-5, 1e-4, what);
    }
}
