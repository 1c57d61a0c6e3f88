using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>
/// Conv2d (dense im2col path and the grouped/depthwise direct path) against <see cref="RefOps.Conv2d"/>:
/// strides, dilations, 4-sided padding, TF "SAME" padding from the TF formula; tolerance 1e-4/1e-3.
/// </summary>
public sealed class Conv2dTests
{
    // batch, c, h, w, o, k, stride, top, bottom, left, right, groups, dilation
    [TestCase(1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1)]
    [TestCase(1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1)]
    [TestCase(1, 1, 1, 7, 1, 3, 2, 1, 1, 0, 2, 1, 1)]
    [TestCase(2, 7, 13, 11, 33, 3, 2, 1, 2, 0, 3, 1, 2)]
    [TestCase(1, 5, 9, 9, 7, 5, 1, 2, 2, 2, 2, 1, 1)]
    [TestCase(1, 6, 9, 10, 9, 3, 2, 0, 1, 1, 0, 3, 1)]
    [TestCase(2, 8, 7, 7, 8, 3, 1, 2, 2, 2, 2, 8, 2)]
    [TestCase(1, 33, 15, 15, 33, 5, 2, 1, 2, 1, 2, 33, 1)]
    [TestCase(2, 4, 6, 6, 8, 1, 1, 0, 0, 0, 0, 4, 1)]
    [TestCase(1, 3, 4, 4, 2, 3, 3, 0, 0, 0, 0, 1, 1)]
    public void Conv2d_degenerateAndOddShapes_matchReference(int batch, int c, int h, int w, int o, int k, int stride,
        int top, int bottom, int left, int right, int groups, int dilation)
    {
        foreach (int threads in new[] { 1, 2 })
            foreach (bool bias in new[] { true, false })
                ConvCase(new CpuBackend(threads), [batch, c, h, w], o, k, stride, new Padding2d(top, bottom, left, right), groups, dilation, bias);
    }

    [TestCase(1)]
    [TestCase(2)]
    public void Conv2d_depthwise3x3On112x112x32_matchesReference(int threads) =>
        ConvCase(new CpuBackend(threads), [1, 32, 112, 112], 32, 3, 1, Padding2d.Symmetric(1), groups: 32, dilation: 1, bias: true);

    [TestCase(1)]
    [TestCase(2)]
    public void Conv2d_depthwise3x3Stride2On112x112x32_matchesReference(int threads) =>
        ConvCase(new CpuBackend(threads), [1, 32, 112, 112], 32, 3, 2, SamePad(112, 112, 3, 2), groups: 32, dilation: 1, bias: false);

    [TestCase(28, 28, 144, 2)]
    [TestCase(57, 57, 8, 1)]
    [TestCase(14, 15, 7, 2)]
    public void Conv2d_depthwise5x5Stride2TfSame_matchesReference(int h, int w, int channels, int threads)
    {
        var pad = SamePad(h, w, 5, 2);
        var builderPad = GraphBuilder.SamePadding(new GraphBuilder().Input("x", 1, channels, h, w), 5, 2);
        Assert.That(builderPad, Is.EqualTo(pad), "GraphBuilder.SamePadding vs the TF formula");
        ConvCase(new CpuBackend(threads), [1, channels, h, w], channels, 5, 2, pad, groups: channels, dilation: 1, bias: true);
    }

    [TestCase(1)]
    [TestCase(2)]
    public void Conv2d_stem3x3Stride2TfSameOn224_matchesReference(int threads) =>
        ConvCase(new CpuBackend(threads), [1, 3, 224, 224], 32, 3, 2, SamePad(224, 224, 3, 2), groups: 1, dilation: 1, bias: true);

    [TestCase(1)]
    [TestCase(2)]
    public void Conv2d_pointwise1x1On56x56_matchesReference(int threads) =>
        ConvCase(new CpuBackend(threads), [1, 64, 56, 56], 33, 1, 1, default, groups: 1, dilation: 1, bias: true);

    /// <summary>TF "SAME" padding from the reference formula (not the engine's).</summary>
    internal static Padding2d SamePad(int h, int w, int k, int stride, int dilation = 1)
    {
        var (top, bottom) = RefOps.TensorFlowSamePadding(h, k, stride, dilation);
        var (left, right) = RefOps.TensorFlowSamePadding(w, k, stride, dilation);
        return new Padding2d(top, bottom, left, right);
    }

    internal static void ConvCase(IBackend be, int[] xShape, int o, int k, int stride, Padding2d pad, int groups, int dilation, bool bias)
    {
        int[] wShape = [o, xShape[1] / groups, k, k];
        string what = $"conv x={OpRunner.Shape(xShape)} w={OpRunner.Shape(wShape)} s={stride} pad={pad} g={groups} d={dilation} bias={bias} on {be.Name}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(xShape);
        var w = rng.Uniform(wShape);
        var b = rng.Uniform(o);
        var g = new GraphBuilder();
        var node = g.Conv2d(g.Input("x", xShape), g.Constant("w", wShape, w), bias ? g.Constant("b", [o], b) : null, stride, pad, groups, dilation);
        var got = OpRunner.Run(be, g, node, x);
        var want = RefOps.Conv2d(RefOps.D(x), xShape, RefOps.D(w), wShape, bias ? RefOps.D(b) : null, stride, stride,
            pad.Top, pad.Bottom, pad.Left, pad.Right, dilation, dilation, groups, out var yShape);
        Assert.That(node.Shape, Is.EqualTo(yShape), $"{what}: output shape");
        TensorAssert.Close(got, want, 1e-4, 1e-3, what);
    }
}
