using HipVision.Graph;
using HipVision.Interop;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Hip;

/// <summary>
/// The convnet ops of the C ABI through <see cref="NativeDevice"/> against the float64 references (which are NCHW: inputs and outputs
/// are transposed to NHWC here), at warp 32 and 64, on odd sizes and a few MobileNet/EfficientNet map sizes kept small for the
/// emulator. Tolerances as STYLE.md: conv 1e-4/1e-3, reductions 1e-5/1e-4.
/// </summary>
[TestFixtureSource(typeof(HipDevices), nameof(HipDevices.WarpSizes))]
public class NativeConvnetOpsTests(int warpSize) : NativeDeviceFixture(warpSize)
{
    static Func<double, double> Act(NativeActivation a) => a switch
    {
        NativeActivation.Gelu => RefOps.Gelu,
        NativeActivation.Relu => v => Math.Max(v, 0),
        NativeActivation.Relu6 => RefOps.Relu6,
        NativeActivation.Silu => RefOps.Silu,
        _ => v => v,
    };

    /// <summary>[B, C, H, W] → [B, H, W, C].</summary>
    static T[] ToNhwc<T>(T[] x, int b, int c, int h, int w)
    {
        var y = new T[x.Length];
        for (int n = 0; n < b; n++)
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < h * w; p++)
                    y[((long)n * h * w + p) * c + ch] = x[((long)n * c + ch) * h * w + p];
        return y;
    }

    // batch, channels, height, width, kernel, stride, padding (top, bottom, left, right), activation, bias
    [TestCase(1, 1, 1, 1, 1, 1, 0, 0, 0, 0, NativeActivation.None, false)]
    [TestCase(2, 33, 7, 9, 3, 1, 1, 1, 1, 1, NativeActivation.Relu6, true)]
    [TestCase(1, 65, 11, 11, 3, 2, 0, 1, 0, 1, NativeActivation.Silu, true)]      // TF SAME, stride 2, odd map
    [TestCase(1, 17, 13, 10, 5, 2, 1, 2, 2, 2, NativeActivation.Silu, true)]      // 5x5 (EfficientNet)
    [TestCase(1, 7, 9, 9, 13, 1, 6, 6, 6, 6, NativeActivation.Relu, false)]       // largest kernel
    [TestCase(1, 32, 112, 112, 3, 1, 1, 1, 1, 1, NativeActivation.Relu6, true)]   // MobileNetV1 layer 0
    public void DepthwiseConv2d_matchesReference(int batch, int channels, int height, int width, int kernel, int stride,
        int top, int bottom, int left, int right, NativeActivation activation, bool bias)
    {
        string what = $"hv_depthwise_conv2d {batch}x{channels}x{height}x{width} k{kernel} s{stride} pad({top},{bottom},{left},{right}) {activation} bias={bias} {On}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(batch * channels * height * width, -2, 2);
        var w = rng.Uniform(channels * kernel * kernel);
        var b = rng.Uniform(channels);
        var want = RefOps.Map(RefOps.Conv2d(RefOps.D(x), [batch, channels, height, width], RefOps.D(w), [channels, 1, kernel, kernel],
            bias ? RefOps.D(b) : null, stride, stride, top, bottom, left, right, 1, 1, channels, out var ys), Act(activation));
        using var bx = Device.Upload(ToNhwc(x, batch, channels, height, width));
        using var bw = Device.Upload(w);
        using var bb = Device.Upload(b);
        using var by = Device.Allocate(want.Length);
        Device.DepthwiseConv2d(bx, bw, bias ? bb : null, by, batch, height, width, channels, kernel, kernel, stride, stride,
            new Padding2d(top, bottom, left, right), activation);
        TensorAssert.Close(by.Download(), ToNhwc(want, ys[0], ys[1], ys[2], ys[3]), 1e-4, 1e-3, what);
    }

    // batch, in, out, height, width, kernel, stride, padding (top, bottom, left, right), input NHWC, activation, bias
    [TestCase(1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, false, NativeActivation.None, false)]
    [TestCase(1, 3, 8, 15, 15, 3, 2, 0, 1, 0, 1, false, NativeActivation.Silu, true)]     // EfficientNet stem, NCHW pixels
    [TestCase(2, 3, 7, 9, 11, 3, 2, 1, 1, 1, 1, false, NativeActivation.Relu6, false)]    // MobileNetV1 stem, symmetric
    [TestCase(1, 33, 17, 5, 7, 3, 1, 1, 1, 1, 1, true, NativeActivation.None, true)]      // NHWC input
    [TestCase(1, 65, 9, 6, 5, 1, 1, 0, 0, 0, 0, true, NativeActivation.Relu, true)]       // 1x1 through the direct kernel
    [TestCase(1, 3, 32, 64, 64, 3, 2, 0, 1, 0, 1, false, NativeActivation.Relu6, true)]   // a real stem map (TF SAME)
    public void Conv2d_matchesReference(int batch, int inChannels, int outChannels, int height, int width, int kernel, int stride,
        int top, int bottom, int left, int right, bool nhwc, NativeActivation activation, bool bias)
    {
        string what = $"hv_conv2d {batch}x{inChannels}x{height}x{width}->{outChannels} k{kernel} s{stride} pad({top},{bottom},{left},{right}) nhwc={nhwc} {activation} bias={bias} {On}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(batch * inChannels * height * width, -2, 2);
        var w = rng.Uniform(outChannels * inChannels * kernel * kernel);
        var b = rng.Uniform(outChannels);
        var want = RefOps.Map(RefOps.Conv2d(RefOps.D(x), [batch, inChannels, height, width], RefOps.D(w), [outChannels, inChannels, kernel, kernel],
            bias ? RefOps.D(b) : null, stride, stride, top, bottom, left, right, 1, 1, 1, out var ys), Act(activation));
        using var bx = Device.Upload(nhwc ? ToNhwc(x, batch, inChannels, height, width) : x);
        using var bw = Device.Upload(w);
        using var bb = Device.Upload(b);
        using var by = Device.Allocate(want.Length);
        Device.Conv2d(bx, bw, bias ? bb : null, by, batch, inChannels, height, width, outChannels, kernel, kernel, stride, stride,
            new Padding2d(top, bottom, left, right), nhwc ? NativeLayout.Nhwc : NativeLayout.Nchw, activation);
        TensorAssert.Close(by.Download(), ToNhwc(want, ys[0], ys[1], ys[2], ys[3]), 1e-4, 1e-3, what);
    }

    [TestCase(1, 1, 1, 1)]
    [TestCase(2, 7, 9, 33)]
    [TestCase(1, 7, 7, 1025)]    // MobileNetV1's last map (1024 channels), one odd
    [TestCase(3, 33, 31, 5)]
    public void GlobalAvgPool_matchesReference(int batch, int height, int width, int channels)
    {
        string what = $"hv_global_avg_pool {batch}x{height}x{width}x{channels} {On}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(batch * channels * height * width, -2, 2);
        var want = RefOps.GlobalAvgPool(RefOps.D(x), [batch, channels, height, width]);
        using var bx = Device.Upload(ToNhwc(x, batch, channels, height, width));
        using var by = Device.Allocate(batch * channels);
        Device.GlobalAvgPool(bx, by, batch, height, width, channels);
        TensorAssert.Close(by.Download(), want, 1e-5, 1e-4, what);
    }

    // batch, height, width, channels, reduced, activation, biases, in place
    [TestCase(1, 1, 1, 1, 1, NativeActivation.Silu, true, false)]
    [TestCase(2, 7, 9, 33, 5, NativeActivation.Silu, true, true)]
    [TestCase(1, 13, 11, 65, 3, NativeActivation.Relu, false, false)]
    [TestCase(1, 14, 14, 240, 10, NativeActivation.Silu, true, true)]   // EfficientNet-B0 block 4-ish
    public void SqueezeExcite_matchesReference(int batch, int height, int width, int channels, int reduced, NativeActivation activation, bool biases, bool inPlace)
    {
        string what = $"hv_squeeze_excite {batch}x{height}x{width}x{channels} r{reduced} {activation} biases={biases} inPlace={inPlace} {On}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(batch * channels * height * width, -2, 2);
        var w1 = rng.Uniform(reduced * channels);
        var b1 = biases ? rng.Uniform(reduced) : new float[reduced];
        var w2 = rng.Uniform(channels * reduced);
        var b2 = biases ? rng.Uniform(channels) : new float[channels];
        var want = RefOps.SqueezeExcite(RefOps.D(x), [batch, channels, height, width], RefOps.D(w1), RefOps.D(b1), RefOps.D(w2), RefOps.D(b2), reduced, Act(activation));
        using var bx = Device.Upload(ToNhwc(x, batch, channels, height, width));
        using var bw1 = Device.Upload(w1);
        using var bb1 = Device.Upload(b1);
        using var bw2 = Device.Upload(w2);
        using var bb2 = Device.Upload(b2);
        using var ws = Device.Allocate((NativeDevice.SqueezeExciteWorkspaceBytes(batch, height, width, channels, reduced) + 3) / 4);
        using var separate = Device.Allocate(x.Length);
        var by = inPlace ? bx : separate;
        Device.SqueezeExcite(bx, bw1, biases ? bb1 : null, bw2, biases ? bb2 : null, ws, by, batch, height, width, channels, reduced, activation);
        TensorAssert.Close(by.Download(), ToNhwc(want, batch, channels, height, width), 1e-5, 1e-4, what);
    }

    [Test]
    public void ConvnetOps_rejectBadArgumentsInCSharp()
    {
        using var x = Device.Allocate(64);
        using var w = Device.Allocate(64);
        using var y = Device.Allocate(64);
        Assert.Throws<ArgumentOutOfRangeException>(() => Device.DepthwiseConv2d(x, w, null, y, 1, 4, 4, 1, 15, 3, 1, 1, default));
        Assert.Throws<ArgumentException>(() => Device.DepthwiseConv2d(x, w, null, y, 1, 2, 2, 1, 5, 5, 1, 1, default), "no output row");
        Assert.Throws<ArgumentOutOfRangeException>(() => Device.DepthwiseConv2d(x, w, null, y, 1, 4, 4, 1, 3, 3, 1, 1, new Padding2d(-1, 0, 0, 0)));
        Assert.Throws<ArgumentException>(() => Device.DepthwiseConv2d(x, w, null, x, 1, 4, 4, 1, 3, 3, 1, 1, Padding2d.Symmetric(1)), "aliasing");
        Assert.Throws<ArgumentException>(() => Device.Conv2d(x, w, null, y, 1, 3, 8, 8, 1, 1, 1, 1, 1, default, NativeLayout.Nchw), "x too small");
        Assert.Throws<ArgumentOutOfRangeException>(() => Device.Conv2d(x, w, null, y, 1, 1, 4, 4, 1, 17, 17, 1, 1, Padding2d.Symmetric(8), NativeLayout.Nhwc));
        Assert.Throws<ArgumentOutOfRangeException>(() => Device.SqueezeExcite(x, w, null, w, null, y, y, 1, 2, 2, 4, 2, NativeActivation.Relu6));
        Assert.Throws<ArgumentOutOfRangeException>(() => NativeDevice.SqueezeExciteWorkspaceBytes(1, 1, 1, 4, 0));
        Assert.Throws<ArgumentException>(() => Device.Preprocess(x, new float[767], y, 2, 2, 2, 2, 0, 0, 2, 2, 0, HipVision.Imaging.PilResample.Nearest, NativeLayout.Nchw));
    }
}
