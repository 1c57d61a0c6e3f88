using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>
/// EfficientNet's block tail (expand 1×1 conv → squeeze-excite → project 1×1 conv) on the CPU plan, where the
/// excite scale is folded into the projection's weight when the map has more pixels than the projection has
/// outputs (<see cref="ExciteFusion"/>), and the excite's pooling is done by the depthwise step that writes its input,
/// against the float64 references of the ops in sequence (|Δ| ≤ 1e-4·max|ref| + 1e-4·|ref|).
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
        Assert.That(plan.Profile.Any(p => p.Op.StartsWith("SqueezeExcite(nhwc,pooled rows")), Is.False, "a dense conv does not pool rows");

        var e = RefOps.Conv2d(RefOps.D(x), shape, RefOps.D(we), [cexp, cin, 1, 1], RefOps.D(be), 1, 1, 0, 0, 0, 0, 1, 1, 1, out var eShape);
        var s = RefOps.SqueezeExcite(e, eShape, RefOps.D(w1), RefOps.D(b1), RefOps.D(w2), RefOps.D(b2), reduced, RefOps.Silu);
        var want = RefOps.Conv2d(s, eShape, RefOps.D(wp), [cout, cexp, 1, 1], RefOps.D(bp), 1, 1, 0, 0, 0, 0, 1, 1, 1, out _);
        TensorAssert.Close(got, want, 1e-4 * want.Max(Math.Abs), 1e-4, what); // float32 sums over up to 1025 channels: absolute error scales with the outputs
    }

    // batch, channels, h, w, kernel, stride, reduced, projected channels, threads
    [TestCase(1, 32, 28, 28, 3, 1, 8, 16, 2)]   // EfficientNet block 0 shape at a smaller map; fused excite
    [TestCase(2, 24, 15, 9, 5, 2, 6, 40, 2)]    // odd map, stride 2, 5×5; not fused: 40 pixels ≤ 40 outputs
    [TestCase(3, 1025, 7, 7, 3, 1, 7, 9, 1)]    // vector tail; fused
    public void DepthwiseSiluExciteProject_poolsRowsInTheDepthwiseStep_matchesReference(int batch, int c, int h, int w, int k, int stride, int reduced, int cout, int threads)
    {
        int pad = k / 2, oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
        bool fused = oh * ow > cout;
        string what = $"depthwise {k}x{k}/{stride}→SiLU→SE→project [{batch},{c},{h},{w}] R={reduced} N={cout} threads={threads}";
        var rng = TestRandom.Create(what);
        int[] shape = [batch, c, h, w];
        var x = rng.Uniform(shape, -2, 2);
        var we = rng.Uniform(c * c);
        var wd = rng.Uniform(c * k * k);
        var bd = rng.Uniform(c);
        var w1 = rng.Uniform(reduced * c);
        var b1 = rng.Uniform(reduced);
        var w2 = rng.Uniform(c * reduced);
        var b2 = rng.Uniform(c);
        var wp = rng.Uniform(cout * c);

        var g = new GraphBuilder();
        // A 1×1 convolution first, so the depthwise input is channels-last as in a real block.
        var expanded = g.Conv2d(g.Input("x", shape), g.Constant("we", [c, c, 1, 1], we), null);
        var dw = g.Silu(g.Conv2d(expanded, g.Constant("wd", [c, 1, k, k], wd), g.Constant("bd", [c], bd), stride, new Padding2d(pad, pad, pad, pad), groups: c));
        var excited = g.SqueezeExcite(dw, g.Constant("w1", [reduced, c, 1, 1], w1), g.Constant("b1", [reduced], b1),
            g.Constant("w2", [c, reduced, 1, 1], w2), g.Constant("b2", [c], b2));
        g.Output("y", g.Conv2d(excited, g.Constant("wp", [cout, c, 1, 1], wp), null));
        using var plan = new CpuBackend(threads).Compile(g.Build());
        plan.ProfilingEnabled = true;
        plan.Run(x);
        var got = new float[batch * cout * oh * ow];
        plan.CopyOutput("y", got);
        Assert.That(plan.Profile.Select(p => p.Op), Has.One.EqualTo(fused ? "SqueezeExcite(nhwc,pooled rows,excite only)" : "SqueezeExcite(nhwc,pooled rows)"));

        var e = RefOps.Conv2d(RefOps.D(x), shape, RefOps.D(we), [c, c, 1, 1], null, 1, 1, 0, 0, 0, 0, 1, 1, 1, out var eShape);
        var d = RefOps.Map(RefOps.Conv2d(e, eShape, RefOps.D(wd), [c, 1, k, k], RefOps.D(bd), stride, stride, pad, pad, pad, pad, 1, 1, c, out var dShape), RefOps.Silu);
        var s = RefOps.SqueezeExcite(d, dShape, RefOps.D(w1), RefOps.D(b1), RefOps.D(w2), RefOps.D(b2), reduced, RefOps.Silu);
        var want = RefOps.Conv2d(s, dShape, RefOps.D(wp), [cout, c, 1, 1], null, 1, 1, 0, 0, 0, 0, 1, 1, 1, out _);
        TensorAssert.Close(got, want, 1e-4 * want.Max(Math.Abs), 1e-4, what); // float32 sums over up to 1025 channels: absolute error scales with the outputs
    }
}
