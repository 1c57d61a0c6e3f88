using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>
/// EfficientNet's block tail (expand 1×1 conv → squeeze-excite → project 1×1 conv) on the CPU plan, where the
/// excite scale is folded into the projection's weight when the map has more pixels than the projection has
/// outputs (<see cref="ExciteFusion"/>), against the float64 references of the three ops in sequence.
/// </summary>
public sealed class ExciteFusionTests
{
    // batch, input channels, expanded channels, h, w, reduced, projected channels, threads
    [TestCase(1, 16, 96, 28, 28, 4, 24, 1)]   // fused: 784 pixels > 24 outputs
    [TestCase(2, 8, 33, 7, 5, 3, 17, 2)]      // fused, odd sizes, per-image scales
    [TestCase(2, 8, 40, 3, 3, 5, 65, 2)]      // not fused: 9 pixels ≤ 65 outputs
    [TestCase(3, 5, 1025, 6, 6, 7, 9, 2)]     // fused, wide channel count with a vector tail
    public void ExpandExciteProject_matchesReference(int batch, int cin, int cexp, int h, int w, int reduced, int cout, int threads)
    {
        bool fused = h * w > cout;
        string what = $"expand→SE→project [{batch},{cin},{h},{w}] C={cexp} R={reduced} N={cout} threads={threads} (fused: {fused})";
        var rng = TestRandom.Create(what);
        int[] shape = [batch, cin, h, w];
        var x = rng.Uniform(shape, -2, 2);
        var we = rng.Uniform(cexp * cin);
        var be = rng.Uniform(cexp);
        var w1 = rng.Uniform(reduced * cexp);
        var b1 = rng.Uniform(reduced);
        var w2 = rng.Uniform(cexp * reduced);
        var b2 = rng.Uniform(cexp);
        var wp = rng.Uniform(cout * cexp);
        var bp = rng.Uniform(cout);

        var g = new GraphBuilder();
        var expanded = g.Conv2d(g.Input("x", shape), g.Constant("we", [cexp, cin, 1, 1], we), g.Constant("be", [cexp], be));
        var excited = g.SqueezeExcite(expanded, g.Constant("w1", [reduced, cexp, 1, 1], w1), g.Constant("b1", [reduced], b1),
            g.Constant("w2", [cexp, reduced, 1, 1], w2), g.Constant("b2", [cexp], b2));
        var projected = g.Conv2d(excited, g.Constant("wp", [cout, cexp, 1, 1], wp), g.Constant("bp", [cout], bp));
        g.Output("y", projected);
        using var plan = new CpuBackend(threads).Compile(g.Build());
        plan.ProfilingEnabled = true;
        plan.Run(x);
        var got = new float[batch * cout * h * w];
        plan.CopyOutput("y", got);
        Assert.That(plan.Profile.Any(p => p.Op.Contains("+excite")), Is.EqualTo(fused), "projection applies the excite scale");
        Assert.That(plan.Profile.Any(p => p.Op == "SqueezeExcite(nhwc,excite only)"), Is.EqualTo(fused), "excite step skips the scale");

        var e = RefOps.Conv2d(RefOps.D(x), shape, RefOps.D(we), [cexp, cin, 1, 1], RefOps.D(be), 1, 1, 0, 0, 0, 0, 1, 1, 1, out var eShape);
        var s = RefOps.SqueezeExcite(e, eShape, RefOps.D(w1), RefOps.D(b1), RefOps.D(w2), RefOps.D(b2), reduced, RefOps.Silu);
        var want = RefOps.Conv2d(s, eShape, RefOps.D(wp), [cout, cexp, 1, 1], RefOps.D(bp), 1, 1, 0, 0, 0, 0, 1, 1, 1, out _);
        TensorAssert.Close(got, want, 1e-4, 1e-4, what);
    }
}
