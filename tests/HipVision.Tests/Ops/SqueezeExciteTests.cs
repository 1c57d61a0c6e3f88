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
