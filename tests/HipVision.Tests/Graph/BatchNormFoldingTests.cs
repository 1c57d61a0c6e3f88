using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Ops;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Graph;

/// <summary>
/// <see cref="BatchNormFolding"/>: conv → BatchNorm compiled (folded) gives the reference conv followed by the
/// reference BatchNorm (tolerance 1e-4/1e-3, the conv tolerance), and the compiled graph holds no BatchNorm.
/// A conv whose output is also used elsewhere is left unfolded and stays correct.
/// </summary>
public sealed class BatchNormFoldingTests
{
    [TestCase(1, 1, 1, 1, 1, 1, 1, true)]
    [TestCase(2, 7, 13, 11, 33, 3, 2, true)]
    [TestCase(1, 3, 224, 224, 32, 3, 2, false)]
    [TestCase(1, 32, 112, 112, 32, 3, 1, false)]
    [TestCase(1, 33, 15, 15, 33, 5, 2, true)]
    public void Fold_convThenBatchNorm_matchesReferenceAndLeavesNoBatchNorm(int batch, int c, int h, int w, int o, int k, int stride, bool bias)
    {
        int groups = c == o && c > 3 ? c : 1; // the depthwise cases are the MobileNet / EfficientNet pattern
        foreach (int threads in new[] { 1, 2 })
            FoldCase(new CpuBackend(threads), [batch, c, h, w], o, k, stride, groups, bias, convAlsoOutput: false);
    }

    [Test]
    public void Fold_convUsedTwice_isNotFoldedAndStaysCorrect() =>
        FoldCase(new CpuBackend(2), [2, 5, 9, 9], 7, 3, 1, 1, bias: true, convAlsoOutput: true);

    [Test]
    public void Fold_apply_doesNotChangeTheInputGraph()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", 1, 2, 4, 4);
        var conv = g.Conv2d(x, g.Constant("w", [3, 2, 1, 1], new float[6]), null);
        float[] ones = [1, 1, 1];
        g.Output("y", g.BatchNorm(conv, g.Constant("g", [3], ones), g.Constant("b", [3], ones), g.Constant("m", [3], ones), g.Constant("v", [3], ones), 1e-5));
        var graph = g.Build();
        int before = graph.Nodes.Count;
        var folded = BatchNormFolding.Apply(graph);
        Assert.That(graph.Nodes.Count, Is.EqualTo(before));
        Assert.That(graph.Nodes.Any(n => n.Kind == OpKind.BatchNorm), Is.True, "original keeps its BatchNorm");
        Assert.That(folded.Nodes.Any(n => n.Kind == OpKind.BatchNorm), Is.False, "folded graph has none");
    }

    static void FoldCase(IBackend be, int[] xShape, int o, int k, int stride, int groups, bool bias, bool convAlsoOutput)
    {
        int[] wShape = [o, xShape[1] / groups, k, k];
        var pad = Conv2dTests.SamePad(xShape[2], xShape[3], k, stride);
        string what = $"conv+bn x={OpRunner.Shape(xShape)} w={OpRunner.Shape(wShape)} s={stride} g={groups} bias={bias} on {be.Name}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(xShape);
        var w = rng.Uniform(wShape);
        var b = rng.Uniform(o);
        var gamma = rng.Uniform(o, 0.5, 1.5);
        var beta = rng.Uniform(o);
        var mean = rng.Uniform(o);
        var variance = rng.Uniform(o, 0.05, 2);
        const double eps = 1e-3;

        var g = new GraphBuilder();
        var conv = g.Conv2d(g.Input("x", xShape), g.Constant("w", wShape, w), bias ? g.Constant("b", [o], b) : null, stride, pad, groups);
        var bn = g.BatchNorm(conv, g.Constant("gamma", [o], gamma), g.Constant("beta", [o], beta), g.Constant("mean", [o], mean), g.Constant("var", [o], variance), eps);
        g.Output("y", bn);
        if (convAlsoOutput) g.Output("conv", conv);
        var graph = g.Build();

        var folded = BatchNormFolding.Apply(graph);
        Assert.That(folded.Nodes.Count(n => n.Kind == OpKind.BatchNorm), Is.EqualTo(convAlsoOutput ? 1 : 0), $"{what}: BatchNorm nodes after folding");
        using var plan = be.Compile(graph);
        plan.ProfilingEnabled = true;
        plan.Run(x);
        var ops = plan.Profile.Select(p => p.Op).ToArray();
        TestContext.Out.WriteLine($"{what}: steps {string.Join(", ", ops)}");
        Assert.That(ops.Contains("BatchNorm"), Is.EqualTo(convAlsoOutput), $"{what}: compiled plan runs a BatchNorm step");

        var wantConv = RefOps.Conv2d(RefOps.D(x), xShape, RefOps.D(w), wShape, bias ? RefOps.D(b) : null, stride, stride,
            pad.Top, pad.Bottom, pad.Left, pad.Right, 1, 1, groups, out var convShape);
        var want = RefOps.BatchNorm(wantConv, convShape, RefOps.D(gamma), RefOps.D(beta), RefOps.D(mean), RefOps.D(variance), eps);
        var got = new float[want.Length];
        plan.CopyOutput("y", got);
        TensorAssert.Close(got, want, 1e-4, 1e-3, what);
        if (convAlsoOutput)
        {
            plan.CopyOutput("conv", got);
            TensorAssert.Close(got, wantConv, 1e-4, 1e-3, what + " (conv output)");
        }
    }
}
