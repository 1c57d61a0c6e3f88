using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>
/// Patch embedding (HF ViTPatchEmbeddings: conv P×P stride P, flatten(2).transpose(1, 2)) against
/// <see cref="RefOps.PatchEmbedding"/>, itself the reference conv plus the reference transpose; tolerance 1e-4/1e-3.
/// </summary>
public sealed class PatchEmbeddingTests
{
    // batch, channels, h, w, patch, d
    [TestCase(1, 1, 1, 1, 1, 1)]
    [TestCase(1, 3, 4, 4, 4, 1)]
    [TestCase(1, 7, 8, 8, 4, 33)]
    [TestCase(2, 3, 35, 33, 8, 33)]
    [TestCase(2, 3, 32, 32, 16, 7)]
    public void PatchEmbedding_oddShapes_matchReference(int batch, int channels, int h, int w, int patch, int d)
    {
        PatchEmbeddingCase(new CpuBackend(1), [batch, channels, h, w], patch, d);
        PatchEmbeddingCase(new CpuBackend(2), [batch, channels, h, w], patch, d);
    }

    [TestCase(1)]
    [TestCase(2)]
    public void PatchEmbedding_vitBase224Patch16_matchesReference(int threads) =>
        PatchEmbeddingCase(new CpuBackend(threads), [1, 3, 224, 224], 16, 768);

    internal static void PatchEmbeddingCase(IBackend be, int[] xShape, int patch, int d)
    {
        int[] wShape = [d, xShape[1], patch, patch];
        string what = $"patch embedding x={OpRunner.Shape(xShape)} P={patch} D={d} on {be.Name}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(xShape);
        var w = rng.Uniform(wShape);
        var b = rng.Uniform(d);
        var g = new GraphBuilder();
        var node = g.PatchEmbedding(g.Input("x", xShape), g.Constant("w", wShape, w), g.Constant("b", [d], b));
        var got = OpRunner.Run(be, g, node, x);
        Assert.That(node.Shape, Is.EqualTo(new[] { xShape[0], xShape[2] / patch * (xShape[3] / patch), d }), $"{what}: shape");
        TensorAssert.Close(got, RefOps.PatchEmbedding(RefOps.D(x), xShape, RefOps.D(w), wShape, RefOps.D(b)), 1e-4, 1e-3, what);
    }
}
