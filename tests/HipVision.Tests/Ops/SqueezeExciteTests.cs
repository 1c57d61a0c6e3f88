using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>
/// Squeeze-and-excitation (HF EfficientNetSqueezeExciteLayer: mean → conv1×1 reduce → act → conv1×1 expand →
/// sigmoid → multiply) against <see cref="RefOps.SqueezeExcite"/>, weights given as [R, C, 1, 1] like the
/// checkpoint and as [R, C]; tolerance 1e-4/1e-3 (it contains two small GEMVs).
/// </summary>
public sealed class SqueezeExciteTests
{
    // batch, channels, h, w, reduced
    [TestCase(1, 1, 1, 1, 1)]
    [TestCase(2, 33, 7, 5, 7)]
    [TestCase(1, 8, 1, 33, 2)]
    [TestCase(2, 1025, 3, 3, 33)]
    public void SqueezeExcite_oddShapesEveryActivation_matchReference(int batch, int channels, int h, int w, int reduced)
    {
        foreach (var act in new[] { OpKind.Silu, OpKind.Relu6, OpKind.Gelu, OpKind.Sigmoid })
            SqueezeExciteCase(new CpuBackend(act == OpKind.Silu ? 2 : 1), [batch, channels, h, w], reduced, act, conv4d: act != OpKind.Relu6);
    }

    [TestCase(1)]
    [TestCase(2)]
    public void SqueezeExcite_efficientNetB0Block1On112x112x32_matchesReference(int threads) =>
        SqueezeExciteCase(new CpuBackend(threads), [1, 32, 112, 112], 8, OpKind.Silu, conv4d: true);

    [Test]
    public void SqueezeExcite_5x5StageShape28x28x144_matchesReference() =>
        SqueezeExciteCase(new CpuBackend(2), [2, 144, 28, 28], 6, OpKind.Silu, conv4d: true);

    // EfficientNet-B7 at 600×600 (batch, channels, h, w, reduced): block 0 (stem width 64, R = int(64·0.25)),
    // stage 2's repeats (80·6 channels, R 20) at 75×75, stage 6's widest (640·6 channels, R 160) on the odd
    // 19×19 map, and 192 channels at 75×75 with R 8.
    [TestCase(1, 64, 300, 300, 16)]
    [TestCase(1, 480, 75, 75, 20)]
    [TestCase(1, 3840, 19, 19, 160)]
    [TestCase(1, 192, 75, 75, 8)]
    public void SqueezeExcite_efficientNetB7Sizes_matchReference(int batch, int channels, int h, int w, int reduced) =>
        SqueezeExciteCase(new CpuBackend(2), [batch, channels, h, w], reduced, OpKind.Silu, conv4d: true);

    [Test]
    public void SqueezeExcite_secondRun_allocatesNothingOnTheCallingThread()
    {
        int[] shape = [2, 96, 28, 28];
        var rng = TestRandom.Create("squeeze-excite allocation");
        var g = new GraphBuilder();
        var y = g.SqueezeExcite(g.Input("x", shape), g.Constant("w1", [4, 96, 1, 1], rng.Uniform(4 * 96)), g.Constant("b1", [4], rng.Uniform(4)),
            g.Constant("w2", [96, 4, 1, 1], rng.Uniform(96 * 4)), g.Constant("b2", [96], rng.Uniform(96)));
        g.Output("y", y);
        using var plan = new CpuBackend(2).Compile(g.Build());
        var x = rng.Uniform(shape, -2, 2);
        plan.Run(x);
        long before = GC.GetAllocatedBytesForCurrentThread();
        plan.Run(x);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, "bytes allocated by a warm run");
    }

    internal static void SqueezeExciteCase(IBackend be, int[] shape, int reduced, OpKind act, bool conv4d)
    {
        int c = shape[1];
        string what = $"squeeze-excite {OpRunner.Shape(shape)} R={reduced} act={act} weights {(conv4d ? "4-D" : "2-D")} on {be.Name}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(shape, -2, 2);
        var w1 = rng.Uniform(reduced * c);
        var b1 = rng.Uniform(reduced);
        var w2 = rng.Uniform(c * reduced);
        var b2 = rng.Uniform(c);
        var g = new GraphBuilder();
        int[] w1Shape = conv4d ? [reduced, c, 1, 1] : [reduced, c], w2Shape = conv4d ? [c, reduced, 1, 1] : [c, reduced];
        var node = g.SqueezeExcite(g.Input("x", shape), g.Constant("w1", w1Shape, w1), g.Constant("b1", [reduced], b1),
            g.Constant("w2", w2Shape, w2), g.Constant("b2", [c], b2), act);
        var got = OpRunner.Run(be, g, node, x);
        Func<double, double> f = act switch { OpKind.Silu => RefOps.Silu, OpKind.Relu6 => RefOps.Relu6, OpKind.Gelu => RefOps.Gelu, _ => RefOps.Sigmoid };
        var want = RefOps.SqueezeExcite(RefOps.D(x), shape, RefOps.D(w1), RefOps.D(b1), RefOps.D(w2), RefOps.D(b2), reduced, f);
        TensorAssert.Close(got, want, 1e-4, 1e-3, what);
    }
}
