using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>
/// Dense convolutions with at most 64 taps per output (network stems), which the CPU plan computes directly into
/// channels-last output (SmallConv2dNhwcStep), against the float64 reference on fresh random inputs (seed printed by
/// TestRandom): NCHW input (the stem reads pixel_values) and NHWC input (behind a 1×1 convolution), output counts that
/// are not a multiple of the 32-output register block or of 16, strides 1 and 2, TF "SAME" asymmetric and symmetric
/// padding, rows narrower than the 4-pixel block, and the fused activations.
/// </summary>
public sealed class SmallConvTests
{
    // batch, in channels, out channels, h, w, kernel, stride, top, bottom, left, right, nhwc input, activation, threads
    [TestCase(1, 3, 32, 30, 29, 3, 2, 0, 1, 0, 1, false, "silu", 2)]    // EfficientNet stem, TF SAME, odd map
    [TestCase(2, 3, 24, 17, 19, 3, 2, 1, 1, 1, 1, false, "relu6", 1)]   // MobileNetV1 0.75 stem: 24 outputs
    [TestCase(1, 3, 64, 23, 21, 3, 2, 0, 1, 0, 1, false, "silu", 3)]    // B7 stem: two register blocks
    [TestCase(2, 4, 40, 9, 7, 3, 1, 1, 1, 1, 1, true, "none", 2)]       // NHWC input, 40 → 48 padded (block + 16)
    [TestCase(1, 2, 5, 6, 3, 5, 1, 2, 2, 2, 2, true, "sigmoid", 1)]     // 50 taps, 3-pixel rows, 5 outputs
    [TestCase(1, 7, 17, 11, 13, 3, 2, 0, 0, 0, 0, false, "gelu", 2)]    // 63 taps, no padding
    public void SmallDenseConv_matchesReference(int batch, int cin, int cout, int h, int w, int k, int stride,
        int top, int bottom, int left, int right, bool nhwcInput, string activation, int threads)
    {
        string what = $"small conv {k}x{k}/{stride} pad ({top},{bottom},{left},{right}) [{batch},{cin},{h},{w}] → {cout} nhwc={nhwcInput} {activation} threads={threads}";
        var rng = TestRandom.Create(what);
        int[] shape = [batch, cin, h, w];
        var x = rng.Uniform(shape, -2, 2);
        var wt = rng.Uniform(cout * cin * k * k);
        var bias = rng.Uniform(cout);
        var ws = rng.Uniform(cin * cin);

        var g = new GraphBuilder();
        var input = g.Input("x", shape);
        if (nhwcInput) input = g.Conv2d(input, g.Constant("ws", [cin, cin, 1, 1], ws), null); // channels-last from here on
        var y = g.Conv2d(input, g.Constant("w", [cout, cin, k, k], wt), g.Constant("b", [cout], bias), stride, new Padding2d(top, bottom, left, right));
        y = activation switch
        {
            "silu" => g.Silu(y),
            "relu6" => g.Relu6(y),
            "sigmoid" => g.Sigmoid(y),
            "gelu" => g.Gelu(y),
            _ => y,
        };
        g.Output("y", y);
        using var plan = new CpuBackend(threads).Compile(g.Build());
        plan.ProfilingEnabled = true;
        plan.Run(x);
        int oh = (h + top + bottom - k) / stride + 1, ow = (w + left + right - k) / stride + 1;
        var got = new float[batch * cout * oh * ow];
        plan.CopyOutput("y", got);
        Assert.That(plan.Profile.Select(p => p.Op), Has.One.StartsWith("Conv2d(direct,nhwc)"), "the small direct step ran");

        var xin = RefOps.D(x);
        if (nhwcInput) xin = RefOps.Conv2d(xin, shape, RefOps.D(ws), [cin, cin, 1, 1], null, 1, 1, 0, 0, 0, 0, 1, 1, 1, out _);
        var want = RefOps.Conv2d(xin, shape, RefOps.D(wt), [cout, cin, k, k], RefOps.D(bias), stride, stride, top, bottom, left, right, 1, 1, 1, out _);
        Func<double, double> f = activation switch
        {
            "silu" => RefOps.Silu,
            "relu6" => RefOps.Relu6,
            "sigmoid" => RefOps.Sigmoid,
            "gelu" => RefOps.Gelu,
            _ => v => v,
        };
        TensorAssert.Close(got, RefOps.Map(want, f), 1e-5 * want.Max(Math.Abs), 1e-5, what);
    }
}
