using System.Runtime.InteropServices;
using HipVision.Backends.Cpu;
using HipVision.Backends.Cpu.Ops;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>
/// The channels-last steps (DepthwiseConv2dNhwcStep, SqueezeExciteNhwcStep, GlobalAvgPoolNhwcStep) built directly on
/// pinned buffers, against the float64 NCHW reference ops run on the same data transposed (NHWC → NCHW in, result
/// NCHW → NHWC). Tolerance 1e-4/1e-3 (1e-5/1e-4 for the pool). Odd channel counts (7, 33) exercise the vector tails.
/// </summary>
public sealed class NhwcStepTests
{
    // batch, h, w, c, k, stride, top, bottom, left, right
    [TestCase(1, 112, 112, 32, 3, 1, 1, 1, 1, 1)]
    [TestCase(2, 57, 57, 96, 3, 2, 0, 1, 0, 1)]   // TF-SAME-like asymmetric
    [TestCase(1, 33, 33, 144, 5, 2, 1, 2, 1, 2)]
    [TestCase(1, 15, 15, 7, 3, 1, 1, 1, 1, 1)]    // C = 7: scalar tail only
    [TestCase(2, 9, 11, 33, 5, 2, 1, 2, 1, 2)]    // C = 33: 32 vectorised + 1
    [TestCase(1, 14, 13, 33, 3, 2, 0, 1, 0, 1)]
    [TestCase(1, 5, 6, 80, 3, 1, 2, 0, 0, 2)]     // one-sided padding, 64 + 16 channels
    public void DepthwiseNhwc_matchesReference(int batch, int h, int w, int c, int k, int stride, int top, int bottom, int left, int right)
    {
        foreach (int threads in new[] { 1, 2 })
            foreach (OpKind? act in new OpKind?[] { null, OpKind.Silu, OpKind.Relu6 })
                DepthwiseCase(batch, h, w, c, k, stride, new Padding2d(top, bottom, left, right), act, bias: act != OpKind.Relu6 || threads == 1, threads);
    }

    [Test]
    public void DepthwiseNhwc_geluAndSigmoid_matchReference()
    {
        DepthwiseCase(1, 10, 9, 33, 3, 1, new Padding2d(1, 1, 1, 1), OpKind.Gelu, bias: true, threads: 2);
        DepthwiseCase(1, 10, 9, 33, 3, 2, new Padding2d(0, 1, 0, 1), OpKind.Sigmoid, bias: true, threads: 2);
    }

    // batch, h, w, c, reduced
    [TestCase(1, 56, 56, 144, 6)]
    [TestCase(2, 7, 7, 1152, 48)]
    [TestCase(2, 5, 3, 33, 7)]
    public void SqueezeExciteNhwc_matchesReference(int batch, int h, int w, int c, int reduced)
    {
        foreach (int threads in new[] { 1, 2 })
        {
            SqueezeExciteCase(batch, h, w, c, reduced, OpKind.Silu, threads, conv4d: threads == 2, inPlace: false);
            SqueezeExciteCase(batch, h, w, c, reduced, OpKind.Relu6, threads, conv4d: threads == 1, inPlace: true);
        }
    }

    // batch, h, w, c
    [TestCase(2, 7, 7, 1280)]
    [TestCase(1, 13, 13, 33)]
    [TestCase(1, 112, 112, 7)]
    public void GlobalAvgPoolNhwc_matchesReference(int batch, int h, int w, int c)
    {
        foreach (int threads in new[] { 1, 2 })
        {
            int[] nhwc = [batch, h, w, c];
            string what = $"global avg pool nhwc {OpRunner.Shape(nhwc)} threads={threads}";
            var rng = TestRandom.Create(what);
            var x = rng.Uniform(nhwc, -2, 2);
            var (xs, xt) = Pinned(x, nhwc);
            var (ys, yt) = Pinned(new float[batch * c], [batch, c]);
            var step = new GlobalAvgPoolNhwcStep("pool", xt, yt, threads);
            step.Run();
            step.Run(); // a second run gives the same answer (scratch fully rewritten)
            var want = RefOps.GlobalAvgPool(RefOps.D(ToNchw(x, batch, h, w, c)), [batch, c, h, w]);
            TensorAssert.Close(ys, want, 1e-5, 1e-4, what);
            GC.KeepAlive(xs);
        }
    }

    [Test]
    public void NhwcSteps_secondRun_allocateNothingOnTheCallingThread()
    {
        var rng = TestRandom.Create("nhwc allocation");
        int c = 48;
        var (xs, xt) = Pinned(rng.Uniform(2 * 14 * 14 * c), [2, 14, 14, c]);
        var (ws, wt) = Pinned(rng.Uniform(c * 9), [c, 1, 3, 3]);
        var (bs, bt) = Pinned(rng.Uniform(c), [c]);
        var (ys, yt) = Pinned(new float[2 * 14 * 14 * c], [2, 14, 14, c]);
        var (w1s, w1t) = Pinned(rng.Uniform(4 * c), [4, c]);
        var (b1s, b1t) = Pinned(rng.Uniform(4), [4]);
        var (w2s, w2t) = Pinned(rng.Uniform(c * 4), [c, 4]);
        var (ps, pt) = Pinned(new float[2 * c], [2, c]);
        CpuStep[] steps =
        [
            new DepthwiseConv2dNhwcStep("dw", xt, wt, bt.Address, yt, new Conv2dAttributes(1, 1, new Padding2d(1, 1, 1, 1), 1, 1, c), OpKind.Silu, 2),
            new SqueezeExciteNhwcStep("se", yt, w1t, b1t, w2t, bt, yt, OpKind.Silu, scaleInput: true, 2),
            new GlobalAvgPoolNhwcStep("pool", yt, pt, 2),
        ];
        foreach (var s in steps) s.Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var s in steps) s.Run();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, "bytes allocated by a warm run");
        GC.KeepAlive(new object[] { xs, ws, bs, ys, w1s, b1s, w2s, ps });
    }

    static void DepthwiseCase(int batch, int h, int w, int c, int k, int stride, Padding2d pad, OpKind? act, bool bias, int threads)
    {
        int oh = (h + pad.Top + pad.Bottom - k) / stride + 1, ow = (w + pad.Left + pad.Right - k) / stride + 1;
        int[] nhwc = [batch, h, w, c];
        string what = $"depthwise nhwc {OpRunner.Shape(nhwc)} k={k} s={stride} pad={pad} act={act?.ToString() ?? "none"} bias={bias} threads={threads}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(nhwc, -2, 2);
        var wts = rng.Uniform(c * k * k);
        var b = rng.Uniform(c);
        var (xs, xt) = Pinned(x, nhwc);
        var (ws, wt) = Pinned(wts, [c, 1, k, k]);
        var (bs, bt) = Pinned(b, [c]);
        var (ys, yt) = Pinned(new float[batch * oh * ow * c], [batch, oh, ow, c]);
        var attrs = new Conv2dAttributes(stride, stride, pad, 1, 1, c);
        var step = new DepthwiseConv2dNhwcStep("dw", xt, wt, bias ? bt.Address : 0, yt, attrs, act, threads);
        step.Run();

        var want = RefOps.Conv2d(RefOps.D(ToNchw(x, batch, h, w, c)), [batch, c, h, w], RefOps.D(wts), [c, 1, k, k], bias ? RefOps.D(b) : null,
            stride, stride, pad.Top, pad.Bottom, pad.Left, pad.Right, 1, 1, c, out var yShape);
        Assert.That(yShape, Is.EqualTo(new[] { batch, c, oh, ow }));
        if (act is { } f)
            want = RefOps.Map(want, Activation(f));
        TensorAssert.Close(ys, ToNhwc(want, batch, c, oh, ow), 1e-4, 1e-3, what);
        GC.KeepAlive(new object[] { xs, ws, bs });
    }

    static void SqueezeExciteCase(int batch, int h, int w, int c, int reduced, OpKind act, int threads, bool conv4d, bool inPlace)
    {
        int[] nhwc = [batch, h, w, c];
        string what = $"squeeze-excite nhwc {OpRunner.Shape(nhwc)} R={reduced} act={act} weights {(conv4d ? "4-D" : "2-D")} {(inPlace ? "in place" : "")} threads={threads}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(nhwc, -2, 2);
        var w1 = rng.Uniform(reduced * c);
        var b1 = rng.Uniform(reduced);
        var w2 = rng.Uniform(c * reduced);
        var b2 = rng.Uniform(c);
        var (xs, xt) = Pinned(x, nhwc);
        var (w1s, w1t) = Pinned(w1, conv4d ? [reduced, c, 1, 1] : [reduced, c]);
        var (b1s, b1t) = Pinned(b1, [reduced]);
        var (w2s, w2t) = Pinned(w2, conv4d ? [c, reduced, 1, 1] : [c, reduced]);
        var (b2s, b2t) = Pinned(b2, [c]);
        var (ys, yt) = inPlace ? (xs, xt) : Pinned(new float[x.Length], nhwc);
        var step = new SqueezeExciteNhwcStep("se", xt, w1t, b1t, w2t, b2t, yt, act, scaleInput: true, threads);
        step.Run();

        var want = RefOps.SqueezeExcite(RefOps.D(ToNchw(x, batch, h, w, c)), [batch, c, h, w], RefOps.D(w1), RefOps.D(b1), RefOps.D(w2), RefOps.D(b2), reduced, Activation(act));
        TensorAssert.Close(ys, ToNhwc(want, batch, c, h, w), 1e-4, 1e-3, what);
        GC.KeepAlive(new object[] { w1s, b1s, w2s, b2s });
    }

    static Func<double, double> Activation(OpKind act) => act switch
    {
        OpKind.Silu => RefOps.Silu,
        OpKind.Relu6 => RefOps.Relu6,
        OpKind.Gelu => RefOps.Gelu,
        OpKind.Sigmoid => RefOps.Sigmoid,
        _ => throw new ArgumentOutOfRangeException(nameof(act)),
    };

    /// <summary>A pinned copy of <paramref name="data"/> and a CpuTensor over it (keep the array alive while the tensor is used).</summary>
    static (float[] Array, CpuTensor Tensor) Pinned(float[] data, int[] shape)
    {
        var array = GC.AllocateArray<float>(Math.Max(1, data.Length), pinned: true);
        data.CopyTo(array, 0);
        return (array, new CpuTensor(Marshal.UnsafeAddrOfPinnedArrayElement(array, 0), shape));
    }

    /// <summary>[B, H, W, C] → [B, C, H, W].</summary>
    static float[] ToNchw(float[] x, int batch, int h, int w, int c)
    {
        var y = new float[x.Length];
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < h * w; i++)
                for (int ch = 0; ch < c; ch++)
                    y[((long)b * c + ch) * h * w + i] = x[((long)b * h * w + i) * c + ch];
        return y;
    }

    /// <summary>[B, C, H, W] → [B, H, W, C].</summary>
    static double[] ToNhwc(double[] x, int batch, int c, int h, int w)
    {
        var y = new double[x.Length];
        for (int b = 0; b < batch; b++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < h * w; i++)
                    y[((long)b * h * w + i) * c + ch] = x[((long)b * c + ch) * h * w + i];
        return y;
    }
}
