using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>
/// ReduceMean (torch.mean(dim), keepdim=False) and GlobalAvgPool (AdaptiveAvgPool2d(1) + flatten) against
/// <see cref="RefOps.ReduceMean"/> / <see cref="RefOps.GlobalAvgPool"/>; reduction tolerance 1e-5/1e-4.
/// </summary>
public sealed class ReduceMeanTests
{
    [TestCase(new[] { 1 }, 0)]
    [TestCase(new[] { 1, 1 }, 0)]
    [TestCase(new[] { 7, 33 }, -1)]
    [TestCase(new[] { 7, 33 }, 0)]
    [TestCase(new[] { 33, 1025 }, 1)]
    [TestCase(new[] { 2, 197, 768 }, 1)]
    [TestCase(new[] { 2, 3, 5, 7 }, 2)]
    public void ReduceMean_axes_matchReference(int[] shape, int axis) => ReduceMeanCase(new CpuBackend(1), shape, axis);

    [TestCase(new[] { 1, 1, 1, 1 })]
    [TestCase(new[] { 2, 33, 7, 7 })]
    [TestCase(new[] { 2, 7, 1, 33 })]
    [TestCase(new[] { 1, 1280, 7, 7 })]
    [TestCase(new[] { 1, 32, 112, 112 })]
    public void GlobalAvgPool_shapes_matchReference(int[] shape) => GlobalAvgPoolCase(new CpuBackend(1), shape);

    internal static void ReduceMeanCase(IBackend be, int[] shape, int axis)
    {
        string what = $"reduce mean {OpRunner.Shape(shape)} axis {axis} on {be.Name}";
        var x = TestRandom.Create(what).Uniform(shape, -2, 3);
        var g = new GraphBuilder();
        var got = OpRunner.Run(be, g, g.ReduceMean(g.Input("x", shape), axis), x);
        TensorAssert.Close(got, RefOps.ReduceMean(RefOps.D(x), shape, axis < 0 ? axis + shape.Length : axis), 1e-5, 1e-4, what);
    }

    internal static void GlobalAvgPoolCase(IBackend be, int[] shape)
    {
        string what = $"global average pool {OpRunner.Shape(shape)} on {be.Name}";
        var x = TestRandom.Create(what).Uniform(shape, -2, 3);
        var g = new GraphBuilder();
        var got = OpRunner.Run(be, g, g.GlobalAvgPool(g.Input("x", shape)), x);
        TensorAssert.Close(got, RefOps.GlobalAvgPool(RefOps.D(x), shape), 1e-5, 1e-4, what);
    }
}
