using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;
using static HipVision.Tests.Ops.Conv2dTests;

namespace HipVision.Tests.Ops;

/// <summary>
/// The vectorised depthwise path (DepthwiseConv2dStep) against <see cref="RefOps.Conv2d"/> (float64), tolerance
/// 1e-4/1e-3: real MobileNet/EfficientNet sizes, odd widths that leave vector tails and border-only rows
/// (7, 33, 57), every padding side on its own, strides 1–3, batch 2. Also checks which step the plan picks.
/// </summary>
public sealed class DepthwiseConv2dTests
{
    [TestCase(1)]
    [TestCase(2)]
    public void DepthwiseConv2d_3x3Stride1On112x112x32_matchesReference(int threads) =>
        ConvCase(new CpuBackend(threads), [1, 32, 112, 112], 32, 3, 1, SamePad(112, 112, 3, 1), groups: 32, dilation: 1, bias: true);

    [TestCase(1)]
    [TestCase(2)]
    public void DepthwiseConv2d_3x3Stride2TfSame112To56_matchesReference(int threads) =>
        ConvCase(new CpuBackend(threads), [1, 64, 112, 112], 64, 3, 2, SamePad(112, 112, 3, 2), groups: 64, dilation: 1, bias: true);

    [TestCase(112, 32, 1)]
    [TestCase(57, 40, 2)]
    [TestCase(33, 8, 2)]
    [TestCase(7, 24, 1)]
    public void DepthwiseConv2d_5x5Stride2TfSame_matchesReference(int size, int channels, int threads) =>
        ConvCase(new CpuBackend(threads), [1, channels, size, size], channels, 5, 2, SamePad(size, size, 5, 2), groups: channels, dilation: 1, bias: true);

    // batch, c, h, w, k, stride, top, bottom, left, right
    [TestCase(1, 3, 7, 7, 3, 1, 1, 1, 1, 1)]
    [TestCase(2, 5, 33, 33, 3, 1, 1, 1, 1, 1)]
    [TestCase(1, 4, 57, 57, 3, 2, 0, 1, 0, 1)]
    [TestCase(1, 4, 57, 57, 3, 2, 1, 1, 1, 1)]
    [TestCase(2, 3, 33, 7, 5, 1, 2, 2, 2, 2)]
    [TestCase(1, 2, 7, 33, 5, 2, 1, 2, 1, 2)]
    [TestCase(1, 2, 9, 40, 3, 1, 2, 0, 0, 0)]   // one side at a time
    [TestCase(1, 2, 9, 40, 3, 1, 0, 2, 0, 0)]
    [TestCase(1, 2, 9, 40, 3, 1, 0, 0, 2, 0)]
    [TestCase(1, 2, 9, 40, 3, 1, 0, 0, 0, 2)]
    [TestCase(1, 3, 20, 71, 3, 3, 1, 1, 1, 1)]  // stride 3: three column phases, scalar split
    [TestCase(1, 2, 1, 1, 3, 1, 1, 1, 1, 1)]    // 1×1 plane: border only
    [TestCase(1, 2, 2, 2, 5, 2, 1, 2, 1, 2)]    // kernel wider than the input
    [TestCase(1, 2, 6, 6, 1, 1, 0, 0, 0, 0)]    // 1×1 kernel
    [TestCase(1, 2, 5, 100, 7, 1, 3, 3, 0, 6)]  // 7×7, padding only on the right
    public void DepthwiseConv2d_oddShapesAndPaddings_matchReference(int batch, int c, int h, int w, int k, int stride, int top, int bottom, int left, int right)
    {
        foreach (int threads in new[] { 1, 2 })
            foreach (bool bias in new[] { true, false })
                ConvCase(new CpuBackend(threads), [batch, c, h, w], c, k, stride, new Padding2d(top, bottom, left, right), groups: c, dilation: 1, bias: bias);
    }

    [TestCase(8, 8, 3, 1, 1, "Conv2d(depthwise)")]
    [TestCase(8, 8, 3, 2, 1, "Conv2d(depthwise)")]
    [TestCase(8, 8, 5, 2, 1, "Conv2d(depthwise)")]
    [TestCase(8, 8, 3, 1, 2, "Conv2d(grouped)")]    // dilation: the direct grouped loops
    [TestCase(8, 4, 3, 1, 1, "Conv2d(grouped)")]    // two channels per group
    [TestCase(8, 16, 3, 1, 1, "Conv2d(grouped)")]   // channel multiplier 2
    public void DepthwiseConv2d_planSelection_picksTheDepthwiseStepOnlyForDepthwise(int c, int groupsOrOut, int k, int stride, int dilation, string op)
    {
        bool multiplier = groupsOrOut > c;
        int groups = multiplier ? c : groupsOrOut, o = multiplier ? groupsOrOut : c;
        var g = new GraphBuilder();
        var x = g.Input("x", 1, c, 12, 12);
        var node = g.Conv2d(x, g.Constant("w", [o, c / groups, k, k], new float[o * (c / groups) * k * k]), null, stride, Padding2d.Symmetric(k / 2), groups, dilation);
        g.Output("y", node);
        using var plan = new CpuBackend(1).Compile(g.Build());
        plan.ProfilingEnabled = true;
        plan.Run(new float[c * 144]);
        Assert.That(plan.Profile.Select(p => p.Op), Is.EqualTo(new[] { op }));
    }

    // c, groups, conv also an output, expected ops
    [TestCase(8, 8, false, new[] { "Conv2d(depthwise)+Relu6" })]
    [TestCase(8, 1, false, new[] { "Conv2d(nhwc)+Relu6" })]   // dense convs write channels-last
    [TestCase(8, 8, true, new[] { "Conv2d(depthwise)", "Relu6" })]   // the conv's own output is needed: no fusion
    [TestCase(8, 4, false, new[] { "Conv2d(grouped)", "Relu6" })]    // the grouped loops have no fused activation
    public void ConvRelu6_plan_fusesIntoDenseAndDepthwiseConvsOnly(int c, int groups, bool convIsOutput, string[] ops)
    {
        int[] xShape = [2, c, 13, 21], wShape = [c, c / groups, 3, 3];
        var pad = SamePad(13, 21, 3, 2);
        var rng = TestRandom.Create($"conv+relu6 g={groups} convIsOutput={convIsOutput}");
        var x = rng.Uniform(xShape, -4, 4);
        var w = rng.Uniform(wShape, -2, 2);
        var b = rng.Uniform(c);
        var g = new GraphBuilder();
        var conv = g.Conv2d(g.Input("x", xShape), g.Constant("w", wShape, w), g.Constant("b", [c], b), 2, pad, groups);
        g.Output("y", g.Relu6(conv));
        if (convIsOutput) g.Output("conv", conv);
        using var plan = new CpuBackend(2).Compile(g.Build());
        plan.ProfilingEnabled = true;
        plan.Run(x);
        Assert.That(plan.Profile.Select(p => p.Op), Is.EqualTo(ops));

        var want = RefOps.Conv2d(RefOps.D(x), xShape, RefOps.D(w), wShape, RefOps.D(b), 2, 2, pad.Top, pad.Bottom, pad.Left, pad.Right, 1, 1, groups, out _);
        var got = new float[want.Length];
        if (convIsOutput)
        {
            plan.CopyOutput("conv", got);
            TensorAssert.Close(got, want, 1e-4, 1e-3, "conv output");
        }
        plan.CopyOutput("y", got);
        Assert.That(want.Any(v => v > 6) && want.Any(v => v < 0), Is.True, "inputs reach both clamps");
        TensorAssert.Close(got, want.Select(v => Math.Clamp(v, 0, 6)).ToArray(), 1e-4, 1e-3, "relu6(conv)");
    }
}
