using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>
/// Convolution chains the CPU plan runs channels-last (NHWC): stem conv from the NCHW input, a 1×1 conv on an
/// NHWC input (the direct GEMM), depthwise, squeeze-excite, residual add and pooling, with every intermediate
/// also a graph output (converted back to NCHW on copy-out) or not; and a chain a reshape forces back to NCHW.
/// Each against the float64 reference ops composed the same way.
/// </summary>
public class ChannelsLastTests
{
    [TestCase(1, 1, false)]
    [TestCase(2, 2, false)]
    [TestCase(2, 2, true)]
    public void MBConvChain_channelsLast_matchesReference(int batch, int threads, bool outputEveryStage)
    {
        int[] xShape = [batch, 3, 17, 15];
        string what = $"MBConv chain batch={batch} threads={threads} outputs={outputEveryStage}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(xShape);
        int c = 8, e = 24, r = 4;
        var wStem = rng.Uniform([c, 3, 3, 3]); var bStem = rng.Uniform(c);
        var wExp = rng.Uniform([e, c, 1, 1]); var bExp = rng.Uniform(e);
        var wDw = rng.Uniform([e, 1, 5, 5]); var bDw = rng.Uniform(e);
        var w1 = rng.Uniform([r, e, 1, 1]); var b1 = rng.Uniform(r);
        var w2 = rng.Uniform([e, r, 1, 1]); var b2 = rng.Uniform(e);
        var wProj = rng.Uniform([c, e, 1, 1]); var bProj = rng.Uniform(c);

        var g = new GraphBuilder();
        var input = g.Input("x", xShape);
        var stem = g.Silu(g.Conv2d(input, g.Constant("ws", [c, 3, 3, 3], wStem), g.Constant("bs", [c], bStem), 2, new Padding2d(0, 1, 0, 1)));
        var expand = g.Silu(g.Conv2d(stem, g.Constant("we", [e, c, 1, 1], wExp), g.Constant("be", [e], bExp)));
        var dw = g.Silu(g.Conv2d(expand, g.Constant("wd", [e, 1, 5, 5], wDw), g.Constant("bd", [e], bDw), 1, Padding2d.Symmetric(2), groups: e));
        var se = g.SqueezeExcite(dw, g.Constant("w1", [r, e, 1, 1], w1), g.Constant("b1", [r], b1), g.Constant("w2", [e, r, 1, 1], w2), g.Constant("b2", [e], b2));
        var proj = g.Conv2d(se, g.Constant("wp", [c, e, 1, 1], wProj), g.Constant("bp", [c], bProj));
        var sum = g.Add(proj, stem);
        var pooled = g.GlobalAvgPool(sum);
        g.Output("y", pooled);
        if (outputEveryStage) foreach (var (name, node) in new[] { ("stem", stem), ("dw", dw), ("se", se), ("sum", sum) }) g.Output(name, node);
        using var plan = new CpuBackend(threads).Compile(g.Build());
        plan.Run(x);

        double[] Conv(double[] v, int[] s, float[] w, int[] ws, float[] b, int stride, int t, int bo, int l, int ri, int groups, out int[] ys) =>
            RefOps.Conv2d(v, s, RefOps.D(w), ws, RefOps.D(b), stride, stride, t, bo, l, ri, 1, 1, groups, out ys);
        var rStem = Conv(RefOps.D(x), xShape, wStem, [c, 3, 3, 3], bStem, 2, 0, 1, 0, 1, 1, out var sStem).Select(RefOps.Silu).ToArray();
        var rExp = Conv(rStem, sStem, wExp, [e, c, 1, 1], bExp, 1, 0, 0, 0, 0, 1, out var sExp).Select(RefOps.Silu).ToArray();
        var rDw = Conv(rExp, sExp, wDw, [e, 1, 5, 5], bDw, 1, 2, 2, 2, 2, e, out var sDw).Select(RefOps.Silu).ToArray();
        var rSe = RefOps.SqueezeExcite(rDw, sDw, RefOps.D(w1), RefOps.D(b1), RefOps.D(w2), RefOps.D(b2), r, RefOps.Silu);
        var rProj = Conv(rSe, sDw, wProj, [c, e, 1, 1], bProj, 1, 0, 0, 0, 0, 1, out var sProj);
        var rSum = rProj.Zip(rStem, (p, q) => p + q).ToArray();
        var rPooled = RefOps.GlobalAvgPool(rSum, sProj);

        void Check(string name, double[] want)
        {
            var got = new float[want.Length];
            plan.CopyOutput(name, got);
            TensorAssert.Close(got, want, 1e-4, 1e-3, $"{what}: {name}");
        }
        Check("y", rPooled);
        if (outputEveryStage)
        {
            Check("stem", rStem);
            Check("dw", rDw);
            Check("se", rSe);
            Check("sum", rSum);
        }
    }

    [TestCase(3, 2, 1, 1)]
    [TestCase(5, 1, 2, 2)]
    [TestCase(3, 2, 0, 2)]
    public void DenseConvOnNhwcInput_gathersChannelsLast_matchesReference(int k, int stride, int padTop, int padBottom)
    {
        int[] xShape = [2, 5, 11, 9];
        string what = $"conv1x1 then dense {k}x{k} s{stride} pad ({padTop},{padBottom}) on its NHWC output";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(xShape);
        var w1 = rng.Uniform([6, 5, 1, 1]);
        var w2 = rng.Uniform([7, 6, k, k]);
        var b2 = rng.Uniform(7);
        var pad = new Padding2d(padTop, padBottom, padBottom, padTop);
        var g = new GraphBuilder();
        var first = g.Conv2d(g.Input("x", xShape), g.Constant("w1", [6, 5, 1, 1], w1), null);
        g.Output("y", g.Conv2d(first, g.Constant("w2", [7, 6, k, k], w2), g.Constant("b2", [7], b2), stride, pad));
        using var plan = new CpuBackend(2).Compile(g.Build());
        plan.Run(x);
        var r1 = RefOps.Conv2d(RefOps.D(x), xShape, RefOps.D(w1), [6, 5, 1, 1], null, 1, 1, 0, 0, 0, 0, 1, 1, 1, out var s1);
        var want = RefOps.Conv2d(r1, s1, RefOps.D(w2), [7, 6, k, k], RefOps.D(b2), stride, stride, pad.Top, pad.Bottom, pad.Left, pad.Right, 1, 1, 1, out _);
        var got = new float[want.Length];
        plan.CopyOutput("y", got);
        TensorAssert.Close(got, want, 1e-4, 1e-3, what);
    }

    [TestCase(1, 0)]
    [TestCase(3, 1)]
    public void ConvThenReshape_staysNchw_matchesReference(int k, int pad)
    {
        int[] xShape = [2, 4, 6, 5];
        var rng = TestRandom.Create($"conv{k}x{k} then reshape");
        var x = rng.Uniform(xShape);
        var w = rng.Uniform([3, 4, k, k]);
        var g = new GraphBuilder();
        var conv = g.Relu6(g.Conv2d(g.Input("x", xShape), g.Constant("w", [3, 4, k, k], w), null, 1, Padding2d.Symmetric(pad)));
        g.Output("y", g.Reshape(conv, 2, -1));
        using var plan = new CpuBackend(2).Compile(g.Build());
        plan.Run(x);
        var want = RefOps.Conv2d(RefOps.D(x), xShape, RefOps.D(w), [3, 4, k, k], null, 1, 1, pad, pad, pad, pad, 1, 1, 1, out _).Select(RefOps.Relu6).ToArray();
        var got = new float[want.Length];
        plan.CopyOutput("y", got);
        TensorAssert.Close(got, want, 1e-4, 1e-3, $"conv{k}x{k} + relu6 + reshape (NCHW order)");
    }
}
