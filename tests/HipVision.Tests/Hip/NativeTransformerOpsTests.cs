using HipVision.Interop;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Hip;

/// <summary>
/// The transformer ops of the C ABI through <see cref="NativeDevice"/> against the float64 references, at warp 32 and 64, on
/// odd sizes (7, 33, 1025) and ViT/BEiT ones (197 tokens, 12 heads, head_dim 64). Tolerances as STYLE.md: elementwise
/// 1e-6/1e-5, reductions 1e-5/1e-4, GEMM and attention 1e-4/1e-3.
/// </summary>
[TestFixtureSource(typeof(HipDevices), nameof(HipDevices.WarpSizes))]
public class NativeTransformerOpsTests(int warpSize) : NativeDeviceFixture(warpSize)
{
    [TestCase(1, 1, 1, NativeActivation.None, true)]
    [TestCase(7, 33, 65, NativeActivation.None, false)]
    [TestCase(33, 1025, 33, NativeActivation.Gelu, true)]
    [TestCase(197, 64, 96, NativeActivation.Gelu, true)]
    [TestCase(5, 17, 9, NativeActivation.Relu6, true)]
    [TestCase(5, 17, 9, NativeActivation.Silu, true)]
    [TestCase(5, 17, 9, NativeActivation.Relu, false)]
    public void Linear_matchesReference(int rows, int inFeatures, int outFeatures, NativeActivation activation, bool bias)
    {
        string what = $"hv_linear {rows}x{inFeatures}->{outFeatures} {activation} bias={bias} {On}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(rows * inFeatures, -2, 2);
        var w = rng.Uniform(outFeatures * inFeatures);
        var b = rng.Uniform(outFeatures);
        using var bx = Device.Upload(x);
        using var bw = Device.Upload(w);
        using var bb = Device.Upload(b);
        using var by = Device.Allocate(rows * outFeatures);
        Device.Linear(bx, bw, bias ? bb : null, by, rows, inFeatures, outFeatures, activation);
        var want = RefOps.Linear(RefOps.D(x), RefOps.D(w), bias ? RefOps.D(b) : null, inFeatures, outFeatures);
        Func<double, double> act = activation switch
        {
            NativeActivation.Gelu => RefOps.Gelu,
            NativeActivation.Relu => v => Math.Max(v, 0),
            NativeActivation.Relu6 => RefOps.Relu6,
            NativeActivation.Silu => RefOps.Silu,
            _ => v => v,
        };
        TensorAssert.Close(by.Download(), RefOps.Map(want, act), 1e-4, 1e-3, what);
    }

    // batch, m, n, k, transA, transB, shareB (stride_b 0), alpha, beta
    [TestCase(1, 1, 1, 1, false, false, false, 1f, 0f)]
    [TestCase(1, 33, 17, 65, false, true, false, 1f, 0f)]
    [TestCase(3, 7, 33, 1025, false, true, true, 0.5f, 0f)]
    [TestCase(2, 33, 9, 17, true, false, false, 1f, 1f)]
    [TestCase(12, 197, 64, 197, false, false, false, 1f, 0f)]
    public void Gemm_matchesReference(int batch, int m, int n, int k, bool transA, bool transB, bool shareB, float alpha, float beta)
    {
        string what = $"hv_gemm batch {batch} {m}x{n}x{k} tA={transA} tB={transB} shareB={shareB} alpha={alpha} beta={beta} {On}";
        var rng = TestRandom.Create(what);
        long sa = (long)m * k, sb = shareB ? 0 : (long)k * n, sc = (long)m * n;
        var a = rng.Uniform(batch * sa);
        var b = rng.Uniform(shareB ? k * n : batch * sb);
        var c0 = rng.Uniform(batch * sc);
        var bias = rng.Uniform(n);
        using var ba = Device.Upload(a);
        using var bb = Device.Upload(b);
        using var bc = Device.Upload(c0);
        using var bbias = Device.Upload(bias);
        Device.Gemm(ba, bb, bbias, bc, batch, m, n, k, sa, sb, sc, transA, transB, alpha, beta);
        var want = new double[batch * sc];
        for (int i = 0; i < batch; i++)
            for (int r = 0; r < m; r++)
                for (int col = 0; col < n; col++)
                {
                    double sum = 0;
                    for (int p = 0; p < k; p++)
                    {
                        double av = transA ? a[i * sa + (long)p * m + r] : a[i * sa + (long)r * k + p];
                        double bv = transB ? b[i * sb + (long)col * k + p] : b[i * sb + (long)p * n + col];
                        sum += av * bv;
                    }
                    long at = i * sc + (long)r * n + col;
                    want[at] = alpha * sum + beta * c0[at] + bias[col];
                }
        TensorAssert.Close(bc.Download(), want, 1e-4, 1e-3, what);
    }

    // batch, tokens, heads, headDim, bias
    [TestCase(1, 1, 1, 1, false)]
    [TestCase(2, 33, 1, 16, true)]
    [TestCase(1, 7, 12, 8, true)]
    [TestCase(2, 50, 3, 33, false)]
    [TestCase(1, 197, 12, 64, false)]
    [TestCase(1, 197, 12, 64, true)]
    public void Attention_matchesReference(int batch, int tokens, int heads, int headDim, bool withBias)
    {
        string what = $"hv_attention B={batch} T={tokens} H={heads} hd={headDim} bias={withBias} {On}";
        var rng = TestRandom.Create(what);
        int d = heads * headDim;
        var qkv = rng.Uniform(batch * tokens * 3 * d);
        var bias = rng.Uniform(heads * tokens * tokens, -2, 2);
        float scale = (float)(1 / Math.Sqrt(headDim));
        using var bq = Device.Upload(qkv);
        using var bb = Device.Upload(bias);
        using var bo = Device.Allocate(batch * tokens * d);
        Device.Attention(bq, withBias ? bb : null, bo, batch, tokens, heads, headDim, scale);
        var want = RefOps.Attention(RefOps.D(qkv), batch, tokens, d, heads, scale, withBias ? RefOps.D(bias) : null, biasPerBatch: false);
        TensorAssert.Close(bo.Download(), want, 1e-4, 1e-3, what);
    }

    [TestCase(1, 3, 16, 16, 16)]
    [TestCase(2, 3, 32, 48, 16)]
    [TestCase(1, 1, 14, 7, 7)]
    public void PatchEmbed_gatherThenLinear_matchesConvReference(int batch, int channels, int height, int width, int patch)
    {
        string what = $"hv_patch_embed + hv_linear [{batch},{channels},{height},{width}] P={patch} {On}";
        var rng = TestRandom.Create(what);
        const int d = 33;
        int[] xShape = [batch, channels, height, width], wShape = [d, channels, patch, patch];
        var x = rng.Uniform(xShape);
        var w = rng.Uniform(wShape);
        var b = rng.Uniform(d);
        int tokens = height / patch * (width / patch), cols = channels * patch * patch;
        using var bx = Device.Upload(x);
        using var patches = Device.Allocate(x.Length);
        using var bw = Device.Upload(w);
        using var bb = Device.Upload(b);
        using var by = Device.Allocate(batch * tokens * d);
        Device.PatchEmbed(bx, patches, batch, channels, height, width, patch);
        Device.Linear(patches, bw, bb, by, batch * tokens, cols, d);
        TensorAssert.Close(by.Download(), RefOps.PatchEmbedding(RefOps.D(x), xShape, RefOps.D(w), wShape, RefOps.D(b)), 1e-4, 1e-3, what);
    }

    [TestCase(1)]
    [TestCase(1025)]
    [TestCase(197 * 768)]
    public void ActivateGelu_matchesReference(int count)
    {
        string what = $"hv_activate gelu {count} {On}";
        var x = TestRandom.Create(what).Uniform(count, -6, 6);
        using var bx = Device.Upload(x);
        using var by = Device.Allocate(count);
        Device.Activate(bx, by, count, NativeActivation.Gelu);
        TensorAssert.Close(by.Download(), RefOps.Map(RefOps.D(x), RefOps.Gelu), 1e-6, 1e-5, what);
        Device.Activate(bx, bx, count, NativeActivation.Gelu);   // in place
        TensorAssert.Close(bx.Download(), RefOps.Map(RefOps.D(x), RefOps.Gelu), 1e-6, 1e-5, what + " in place");
    }

    // rows, cols, bRows
    [TestCase(1, 1, 1)]
    [TestCase(33, 1025, 33)]
    [TestCase(2 * 197, 768, 197)]
    [TestCase(7, 33, 1)]
    public void Add_rowBroadcast_matchesReference(int rows, int cols, int bRows)
    {
        string what = $"hv_add {rows}x{cols} b_rows={bRows} {On}";
        var rng = TestRandom.Create(what);
        var a = rng.Uniform(rows * cols, -3, 3);
        var b = rng.Uniform(bRows * cols, -3, 3);
        using var ba = Device.Upload(a);
        using var bb = Device.Upload(b);
        using var by = Device.Allocate(a.Length);
        Device.Add(ba, bb, by, rows, cols, bRows);
        var want = new double[a.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) want[r * cols + c] = (double)a[r * cols + c] + b[r % bRows * cols + c];
        TensorAssert.Close(by.Download(), want, 1e-6, 1e-5, what);
        Device.Add(ba, bb, ba, rows, cols, bRows);   // y aliasing a
        TensorAssert.Close(ba.Download(), want, 1e-6, 1e-5, what + " in place");
    }

    [TestCase(1, 1, false)]
    [TestCase(197, 768, true)]
    [TestCase(33, 1025, false)]
    [TestCase(7, 33, true)]
    public void LayerScale_matchesReference(int rows, int cols, bool residual)
    {
        string what = $"hv_layer_scale {rows}x{cols} residual={residual} {On}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(rows * cols, -3, 3);
        var gamma = rng.Uniform(cols, 0.01, 0.2);
        var res = rng.Uniform(rows * cols, -3, 3);
        using var bx = Device.Upload(x);
        using var bg = Device.Upload(gamma);
        using var br = Device.Upload(res);
        using var by = Device.Allocate(x.Length);
        Device.LayerScale(bx, bg, residual ? br : null, by, rows, cols);
        var want = new double[x.Length];
        for (int i = 0; i < want.Length; i++) want[i] = (double)x[i] * gamma[i % cols] + (residual ? res[i] : 0);
        TensorAssert.Close(by.Download(), want, 1e-6, 1e-5, what);
        if (!residual) return;
        Device.LayerScale(bx, bg, br, br, rows, cols);   // y aliasing the residual, as the BEiT plan runs it
        TensorAssert.Close(br.Download(), want, 1e-6, 1e-5, what + " into the residual");
    }

    [TestCase(1, 1)]
    [TestCase(7, 33)]
    [TestCase(3, 1025)]
    [TestCase(12 * 197, 197)]
    public void Softmax_matchesReference(int rows, int cols)
    {
        string what = $"hv_softmax {rows}x{cols} {On}";
        var x = TestRandom.Create(what).Uniform(rows * cols, -10, 10);
        using var bx = Device.Upload(x);
        using var by = Device.Allocate(x.Length);
        Device.Softmax(bx, by, rows, cols);
        TensorAssert.Close(by.Download(), RefOps.Softmax(RefOps.D(x), cols), 1e-6, 1e-4, what);
    }

    [TestCase(1, 1, 1)]
    [TestCase(2, 196, 768)]
    [TestCase(3, 4, 33)]
    public void PrependToken_matchesConcat(int batch, int tokens, int dim)
    {
        string what = $"hv_prepend_token B={batch} T={tokens} D={dim} {On}";
        var rng = TestRandom.Create(what);
        var token = rng.Uniform(dim);
        var x = rng.Uniform(batch * tokens * dim);
        using var bt = Device.Upload(token);
        using var bx = Device.Upload(x);
        using var by = Device.Allocate(batch * (tokens + 1) * dim);
        Device.PrependToken(bt, bx, by, batch, tokens, dim);
        var want = new double[batch * (tokens + 1) * dim];
        for (int b = 0; b < batch; b++)
        {
            for (int c = 0; c < dim; c++) want[b * (tokens + 1) * dim + c] = token[c];
            for (int i = 0; i < tokens * dim; i++) want[b * (tokens + 1) * dim + dim + i] = x[b * tokens * dim + i];
        }
        TensorAssert.Close(by.Download(), want, 0, 0, what);
    }

    [TestCase(1, 1, 1, 0)]
    [TestCase(2, 197, 768, 0)]
    [TestCase(3, 33, 17, 32)]
    public void SliceToken_matchesSlice(int batch, int tokens, int dim, int index)
    {
        string what = $"hv_slice_token B={batch} T={tokens} D={dim} index={index} {On}";
        var x = TestRandom.Create(what).Uniform(batch * tokens * dim);
        using var bx = Device.Upload(x);
        using var by = Device.Allocate(batch * dim);
        Device.SliceToken(bx, by, batch, tokens, dim, index);
        var want = RefOps.Slice(RefOps.D(x), [batch, tokens, dim], 1, index, index + 1);
        TensorAssert.Close(by.Download(), want, 0, 0, what);
    }

    [TestCase(1, 1, 1, 0)]
    [TestCase(2, 197, 768, 1)]
    [TestCase(3, 1025, 33, 0)]
    [TestCase(1, 33, 7, 32)]
    public void MeanTokens_matchesReduceMean(int batch, int tokens, int dim, int first)
    {
        string what = $"hv_mean_tokens B={batch} T={tokens} D={dim} first={first} {On}";
        var x = TestRandom.Create(what).Uniform(batch * tokens * dim, -2, 3);
        using var bx = Device.Upload(x);
        using var by = Device.Allocate(batch * dim);
        Device.MeanTokens(bx, by, batch, tokens, dim, first);
        var sliced = RefOps.Slice(RefOps.D(x), [batch, tokens, dim], 1, first, tokens);
        TensorAssert.Close(by.Download(), RefOps.ReduceMean(sliced, [batch, tokens - first, dim], 1), 1e-5, 1e-4, what);
    }

    [Test]
    public void Attention_headDimBeyondTheKernelsLimit_unsupportedWithTheNativeMessage()
    {
        using var qkv = Device.Allocate(3 * 129);
        using var output = Device.Allocate(129);
        var e = Assert.Throws<HipVisionException>(() => Device.Attention(qkv, null, output, 1, 1, 1, 129, 0.1f));
        TestContext.Out.WriteLine(e!.Message);
        Assert.That(e.Status, Is.EqualTo(NativeStatus.Unsupported));
        Assert.That(e.Message, Does.StartWith("hv_attention"));
    }

    [Test]
    public void Wrappers_badArguments_rejectedInCSharpFirst()
    {
        using var a = Device.Allocate(16);
        using var b = Device.Allocate(16);
        Assert.Throws<ArgumentException>(() => Device.Linear(a, b, null, a, 4, 4, 4));                 // y is x
        Assert.Throws<ArgumentException>(() => Device.Linear(a, b, null, b, 1, 4, 5));                 // y is the weight
        Assert.Throws<ArgumentException>(() => Device.Add(a, b, a, 3, 4, 2));                          // rows not a multiple of b_rows
        Assert.Throws<ArgumentOutOfRangeException>(() => Device.SliceToken(a, b, 1, 4, 4, 4));        // index past the tokens
        Assert.Throws<ArgumentOutOfRangeException>(() => Device.Attention(a, null, b, 1, 1, 1, 1, float.NaN));
        Assert.Throws<ArgumentException>(() => Device.PatchEmbed(a, b, 1, 1, 4, 4, 3));               // 4 is not a multiple of 3
        var e = Assert.Throws<ArgumentException>(() => Device.Softmax(a, b, 5, 4));
        Assert.That(e!.Message, Does.Contain("x holds 16 elements, needs 20"));
    }
}
