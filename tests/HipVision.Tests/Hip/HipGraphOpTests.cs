using HipVision.Backends.Hip;
using HipVision.Graph;
using HipVision.Tests.Ops;

namespace HipVision.Tests.Hip;

/// <summary>
/// The graph ops of ViT, BEiT, MobileNetV1 and EfficientNet compiled by <see cref="HipBackend"/> (the public path: build → Compile → Run → CopyOutput), with
/// the same test bodies as the CPU op tests (tests/HipVision.Tests/Ops), at warp 32 and 64.
/// </summary>
[TestFixtureSource(typeof(HipDevices), nameof(HipDevices.WarpSizes))]
public class HipGraphOpTests(int warpSize)
{
    HipBackend _hip = null!;

    [OneTimeSetUp]
    public void Open() => _hip = HipDevices.Open(warpSize);

    [OneTimeTearDown]
    public void Close() => _hip.Dispose();

    [Test]
    public void Linear_oddAndViTShapes_matchReference()
    {
        LinearTests.LinearCase(_hip, [1, 1], 1, bias: false);
        LinearTests.LinearCase(_hip, [2, 13, 65], 33, bias: true);
        LinearTests.LinearCase(_hip, [1, 197, 64], 96, bias: true);
    }

    [Test]
    public void LayerNorm_shapes_matchReference()
    {
        LayerNormTests.LayerNormCase(_hip, [7, 33], 1e-12, offset: 0);
        LayerNormTests.LayerNormCase(_hip, [1, 197, 768], 1e-12, offset: 50);
    }

    [Test]
    public void Attention_noBiasAndSharedBias_matchReference()
    {
        AttentionTests.AttentionCase(_hip, 1, 7, 33, 3, 0, scale: null, spread: 1);
        AttentionTests.AttentionCase(_hip, 2, 33, 16, 1, 3, scale: null, spread: 1);
        AttentionTests.AttentionCase(_hip, 1, 197, 768, 12, 3, scale: null, spread: 1);
    }

    [Test]
    public void PatchEmbedding_matchesReference() => PatchEmbeddingTests.PatchEmbeddingCase(_hip, [2, 3, 32, 48], 16, 33);

    [Test]
    public void Gelu_and_Softmax_matchReference()
    {
        GeluTests.UnaryCase(_hip, OpKind.Gelu, [3, 1025], -6, 6);
        SoftmaxTests.SoftmaxCase(_hip, [12, 197, 197], -10, 10);
        SoftmaxTests.SoftmaxCase(_hip, [7, 33], -3, 3);
    }

    [Test]
    public void Add_sameShapeAndPositionEmbeddings_matchReference()
    {
        BinaryTests.BinaryCase(_hip, OpKind.Add, [2, 197, 33], [2, 197, 33], inputFirst: true);
        BinaryTests.BinaryCase(_hip, OpKind.Add, [2, 197, 33], [1, 197, 33], inputFirst: true);
        BinaryTests.BinaryCase(_hip, OpKind.Add, [7, 33], [33], inputFirst: true);
    }

    [Test]
    public void Mul_layerScale_matchesReference() => BinaryTests.BinaryCase(_hip, OpKind.Mul, [2, 197, 33], [33], inputFirst: true);

    [Test]
    public void ReduceMean_overTokens_matchesReference() => ReduceMeanTests.ReduceMeanCase(_hip, [2, 197, 33], 1);

    [Test]
    public void Slice_oneToken_matchesReference() => LayoutTests.SliceCase(_hip, [2, 197, 33], 1, 0, 1);

    [Test]
    public void Conv2d_denseDepthwiseAndPointwise_matchReference()
    {
        Conv2dTests.ConvCase(_hip, [1, 3, 15, 15], 8, 3, 2, Conv2dTests.SamePad(15, 15, 3, 2), groups: 1, dilation: 1, bias: true);    // stem, NCHW pixels
        Conv2dTests.ConvCase(_hip, [2, 7, 9, 11], 5, 3, 1, Padding2d.Symmetric(1), groups: 1, dilation: 1, bias: false);
        Conv2dTests.ConvCase(_hip, [1, 33, 7, 9], 17, 1, 1, default, groups: 1, dilation: 1, bias: true);                              // 1x1 on NCHW
        Conv2dTests.ConvCase(_hip, [1, 17, 13, 10], 17, 5, 2, Conv2dTests.SamePad(13, 10, 5, 2), groups: 17, dilation: 1, bias: true); // depthwise, input converted
    }

    [Test]
    public void SqueezeExcite_andGlobalAvgPool_onNchwInput_matchReference()
    {
        SqueezeExciteTests.SqueezeExciteCase(_hip, [2, 33, 7, 9], 5, OpKind.Silu, conv4d: true);
        ReduceMeanTests.GlobalAvgPoolCase(_hip, [2, 33, 7, 9]);
    }

    [Test]
    public void Conv2d_dilated_isRejectedByName()
    {
        var g = new GraphBuilder();
        g.Output("y", g.Conv2d(g.Input("x", 1, 3, 9, 9), g.Constant("w", [4, 3, 3, 3], new float[108]), null, 1, Padding2d.Symmetric(2), 1, 2));
        Assert.That(HipBackend.Unsupported(g.Build()), Does.Contain("Conv2d with dilation 2x2"));
    }

    [Test]
    public void Compile_opNotOnTheBackend_namesTheOp()
    {
        var g = new GraphBuilder();
        g.Output("y", g.Slice(g.Input("x", 4, 3), 0, 1, 3));
        var e = Assert.Throws<HipVisionException>(() => _hip.Compile(g.Build()));
        Assert.That(e!.Message, Does.Contain("the HIP backend does not support Slice").And.Contain("--backend cpu"));
        Assert.That(HipBackend.Unsupported(g.Build()), Does.Contain("Slice"));
    }

    [Test]
    public void StandaloneActivations_hvActivate_matchReference()
    {
        GeluTests.UnaryCase(_hip, OpKind.Relu6, [2, 7, 9, 11], -8, 8);
        GeluTests.UnaryCase(_hip, OpKind.Silu, [3, 1025], -10, 10);
        GeluTests.UnaryCase(_hip, OpKind.Sigmoid, [1, 33, 7, 5], -12, 12);
        GeluTests.UnaryCase(_hip, OpKind.Gelu, [1], -6, 6);
    }

    [Test]
    public void UnfoldedBatchNorm_hvBatchNorm_matchesReference()
    {
        BatchNormTests.BatchNormCase(_hip, [2, 33, 7, 5], 1e-3);
        BatchNormTests.BatchNormCase(_hip, [7, 33], 1e-5);
        BatchNormTests.BatchNormCase(_hip, [2, 7, 1025], 1e-5);
    }

    [Test]
    public void BatchNormWithActivation_andScalarScale_likeTheCpuBackend()
    {
        // verify's batch_norm and relu6 rows in small: BatchNorm + ReLU6 (fused into hv_batch_norm), x·8 then ReLU6, then sigmoid.
        var rng = Reference.TestRandom.Create($"batch_norm+relu6, scalar mul on {_hip.Name} warp {warpSize}");
        int[] shape = [2, 5, 9, 7];
        var x = rng.Uniform(shape, -2, 2);
        var g = new GraphBuilder();
        var input = g.Input("x", shape);
        var bn = g.BatchNorm(input, g.Constant("gamma", [5], rng.Uniform(5, 0.5, 1.5)), g.Constant("beta", [5], rng.Uniform(5)),
            g.Constant("mean", [5], rng.Uniform(5)), g.Constant("var", [5], rng.Uniform(5, 0.05, 2)), 1e-3);
        var scaled = g.Relu6(g.Mul(g.Relu6(bn), g.Constant("scale", [1], [8f])));
        g.Output("y", g.Sigmoid(scaled));
        var graph = g.Build();
        float[] Run(Backends.IBackend be, out IReadOnlyList<string> ops)
        {
            using var plan = be.Compile(graph);
            plan.ProfilingEnabled = true;
            plan.Run(x);
            ops = plan.Profile.Select(p => p.Op).ToArray();
            var y = new float[x.Length];
            plan.CopyOutput("y", y);
            return y;
        }
        var got = Run(_hip, out var hipOps);
        var want = Run(new Backends.Cpu.CpuBackend(1), out _);
        TestContext.Out.WriteLine(string.Join(" ", hipOps));
        Assert.That(hipOps, Is.EqualTo(new[] { "BatchNorm+Relu6", "LayerScale", "Relu6", "Sigmoid" }));
        Reference.TensorAssert.Close(got, want, 1e-6, 1e-5, "hip vs cpu backend");
    }

    [Test]
    public void Compile_attentionHeadsBeyondTheKernelsLimit_rejectedAtCompileTime()
    {
        var g = new GraphBuilder();
        g.Output("y", g.Attention(g.Input("x", 1, 3, 3 * 2 * 129), 2));
        var e = Assert.Throws<HipVisionException>(() => _hip.Compile(g.Build()));
        Assert.That(e!.Message, Does.Contain("head_dim 129"));
    }

    [Test]
    public void Compile_perImageAttentionBias_isRejectedByName()
    {
        var g = new GraphBuilder();
        var bias = g.Constant("bias", [2, 1, 3, 3], new float[18]);
        g.Output("y", g.Attention(g.Input("x", 2, 3, 12), 1, bias));
        var e = Assert.Throws<HipVisionException>(() => _hip.Compile(g.Build()));
        Assert.That(e!.Message, Does.Contain("Attention with a per-image"));
    }
}
