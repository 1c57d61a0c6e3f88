using HipVision.Backends.Hip;
using HipVision.IO;
using HipVision.Models;
using HipVision.Tests.Models;
using HipVision.Weights;

namespace HipVision.Tests.Hip;

/// <summary>
/// Whole models through <see cref="HipBackend"/>: the tiny ViT, BEiT, MobileNetV1 and EfficientNet fixtures on the library's device (the emulator in CI) at
/// warp 32 and 64 against transformers' outputs (the fixtures' criterion: ‖Δ‖/‖ref‖ ≤ 1e-4 per row, max|Δ| ≤ 1e-4·max|ref|,
/// identical argmax), the plan's lifetime, and full-size models that need a real GPU.
/// </summary>
public class HipModelTests
{
    [TestCase("tiny-vit", 32)]
    [TestCase("tiny-vit", 64)]
    [TestCase("tiny-beit", 32)]
    [TestCase("tiny-beit", 64)]
    public void TinyFixture_onHip_logitsAndHiddenStatesMatchTransformers(string name, int warpSize)
    {
        var dir = Fixtures.Model(name);
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = SafeTensorsWeights.Open(dir);
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        using var hip = HipDevices.Open(warpSize);
        using var plan = hip.Compile(config.BuildGraph(weights, shape[0], hiddenStates: true));
        TestContext.Out.WriteLine($"{name} on {hip.DeviceName}: {((HipExecutionPlan)plan).StepCount} steps, activations {plan.PeakBytes} B (one arena), " +
            $"weights {plan.WeightBytes} B");
        plan.Run(pixels);
        var modelConfig = (PatchTransformerConfig)config;
        for (int k = 0; k <= modelConfig.NumHiddenLayers; k++) FixtureParity.AssertHiddenState(plan, dir, k);
        FixtureParity.AssertLogits(plan, dir, config.NumLabels);

        plan.Run(pixels);   // a replay gives the same logits
        FixtureParity.AssertLogits(plan, dir, config.NumLabels);
    }

    [Test]
    public void BeitConfigurationsWithoutFixtures_onHip_matchFloat64Reference()
    {
        // Shared relative position bias, shared + per-layer bias, absolute position embeddings with [CLS] pooling and no
        // layer scale: the BEiT variants transformers allows that the tiny fixture does not cover.
        using var hip = HipDevices.Open(32);
        BeitParityTests.RunAgainstReference(BeitParityTests.SharedBiasConfig, hip);
        BeitParityTests.RunAgainstReference(BeitParityTests.SharedBiasConfig with { UseRelativePositionBias = true }, hip);
        BeitParityTests.RunAgainstReference(BeitParityTests.AbsoluteClsConfig, hip);
    }

    [Test]
    public void TinyVit_visionModelWithHipBackend_classifiesLikeCpu()
    {
        var dir = Fixtures.Model("tiny-vit");
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        using var hip = VisionModel.Load(dir, new VisionModelOptions { Backend = BackendKind.Hip });
        using var cpu = VisionModel.Load(dir, new VisionModelOptions { Backend = BackendKind.Cpu, Threads = 1 });
        Assert.That(hip.BackendName, Is.EqualTo("hip"));
        Assert.That(hip.DeviceName, Is.Not.Null);
        Assert.That(cpu.DeviceName, Is.Null);
        var got = hip.Run(pixels, shape[0]);
        Reference.TensorAssert.ModelOutput(got, cpu.Run(pixels, shape[0]), hip.Config.NumLabels, 1e-4, "tiny-vit hip vs cpu");
    }

    [Test]
    public void TinyVit_twoBatchSizes_shareUploadedWeightsAndUseTheFusedSteps()
    {
        var dir = Fixtures.Model("tiny-vit");
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = new CachingWeights(SafeTensorsWeights.Open(dir));
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        using var hip = HipDevices.Open(64);
        using var two = hip.Compile(config.BuildGraph(weights, 2));
        long afterFirst = hip.WeightBytes;
        Assert.That(afterFirst, Is.EqualTo(two.WeightBytes));
        using var one = hip.Compile(config.BuildGraph(weights, 1));
        // Only the fused QKV projection (a new array per graph, built by Vit.FusedQkv) is uploaded again.
        Assert.That(hip.WeightBytes - afterFirst, Is.LessThan(one.WeightBytes / 2), "the second plan reuses the first one's weights");

        two.ProfilingEnabled = true;
        two.Run(pixels);
        var ops = two.Profile.Select(p => p.Op).ToArray();
        TestContext.Out.WriteLine(string.Join(" ", ops));
        Assert.That(ops, Does.Contain("Add+LayerNorm").And.Contain("Linear+Gelu").And.Contain("PrependToken").And.Contain("SliceToken").And.Contain("PatchEmbedding"));
        Assert.That(ops, Does.Not.Contain("Gelu"), "every GELU follows a linear layer");
        Assert.That(ops.Count(op => op == "LayerNorm"), Is.EqualTo(1), "only the first LayerNorm (after the position embeddings, a broadcast add) stands alone");
        FixtureParity.AssertLogits(two, dir, config.NumLabels);
    }

    /// <summary>Hands out one array per tensor name, as VisionModel's weight cache does, so plans can share uploads.</summary>
    sealed class CachingWeights(IWeightSource inner) : IWeightSource
    {
        readonly Dictionary<string, float[]> _cache = [];
        public string SourceName => inner.SourceName;
        public IEnumerable<string> Names => inner.Names;
        public bool Contains(string name) => inner.Contains(name);
        public float[] Get(string name, int[] expectedShape) =>
            _cache.TryGetValue(name, out var data) ? data : _cache[name] = inner.Get(name, expectedShape);
        public void Dispose() => inner.Dispose();
    }

    [Test]
    public void Auto_picksTheGpuOnlyFromAGpuBuild_andSaysWhy()
    {
        using var m = VisionModel.Load(Fixtures.Model("tiny-vit"));
        if (HipBackend.LibraryBackend == "emulator")
        {
            Assert.That(m.BackendName, Is.EqualTo("cpu"), "auto never picks the emulator");
            Assert.That(m.BackendReason, Does.Contain("emulator"));
        }
        else
            Assert.That(m.BackendName, Is.EqualTo("hip"), $"a {HipBackend.LibraryBackend} build with a device: {m.BackendReason}");
    }

    [TestCase("tiny-mobilenet_v1", 32)]
    [TestCase("tiny-mobilenet_v1", 64)]
    [TestCase("tiny-efficientnet", 32)]
    [TestCase("tiny-efficientnet", 64)]
    public void TinyConvnetFixture_onHip_logitsAndHiddenStatesMatchTransformers(string name, int warpSize)
    {
        var dir = Fixtures.Model(name);
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = SafeTensorsWeights.Open(dir);
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        using var hip = HipDevices.Open(warpSize);
        var graph = config.BuildGraph(weights, shape[0], hiddenStates: true);
        using var plan = hip.Compile(graph);
        plan.ProfilingEnabled = true;
        plan.Run(pixels);
        var ops = plan.Profile.Select(p => p.Op).Distinct().ToArray();
        TestContext.Out.WriteLine($"{name} on {hip.DeviceName}: {((HipExecutionPlan)plan).StepCount} steps ({string.Join(" ", ops)}), activations {plan.PeakBytes} B");
        int hidden = graph.Outputs.Count(o => o.Name.StartsWith("hidden_states.", StringComparison.Ordinal));
        Assert.That(hidden, Is.EqualTo(Directory.GetFiles(dir, "hidden_states_*.npy").Length), "every hidden state of the fixture is checked");
        for (int k = 0; k < hidden; k++) FixtureParity.AssertHiddenState(plan, dir, k);
        FixtureParity.AssertLogits(plan, dir, config.NumLabels);
        Assert.That(ops, Has.None.StartsWith("BatchNorm"), "BatchNorm folded into the convolutions");
        Assert.That(ops, Does.Contain("GlobalAvgPool").And.Some.StartsWith("DepthwiseConv2d+").And.Some.StartsWith("PointwiseConv2d"));
        if (name.Contains("efficientnet")) Assert.That(ops, Does.Contain("SqueezeExcite").And.Contain("Add"));

        plan.ProfilingEnabled = false;
        plan.Run(pixels);   // a replay gives the same logits
        FixtureParity.AssertLogits(plan, dir, config.NumLabels);
    }

    [TestCase("tiny-vit", 32)]
    [TestCase("tiny-vit", 64)]
    [TestCase("tiny-beit", 32)]
    [TestCase("tiny-beit", 64)]
    [TestCase("tiny-mobilenet_v1", 32)]
    [TestCase("tiny-mobilenet_v1", 64)]
    [TestCase("tiny-efficientnet", 32)]
    [TestCase("tiny-efficientnet", 64)]
    public void TinyFixture_graphReplay_bitIdenticalToUncapturedLaunches(string name, int warpSize)
    {
        var dir = Fixtures.Model(name);
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = SafeTensorsWeights.Open(dir);
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        var other = pixels.Select((v, i) => -0.5f * v + 0.01f * (i % 13)).ToArray();
        using var hip = HipDevices.Open(warpSize);
        using var plan = (HipExecutionPlan)hip.Compile(config.BuildGraph(weights, shape[0]));
        Assert.That(plan.LaunchesPerRun, Is.Null, "nothing captured before the first run");

        float[] Logits(float[] input, bool captured)
        {
            plan.ProfilingEnabled = !captured;   // profiling runs the steps one by one, uncaptured
            plan.Run(input);
            var logits = new float[shape[0] * config.NumLabels];
            plan.CopyOutput("logits", logits);
            return logits;
        }
        static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();

        var first = Logits(pixels, captured: true);   // captures the graph, then replays it
        Assert.That(plan.CaptureError, Is.Null, "the launch sequence was captured");
        Assert.That(plan.LaunchesPerRun, Is.GreaterThanOrEqualTo(plan.StepCount), "every step issues at least one kernel");
        TestContext.Out.WriteLine($"{name} warp {warpSize}: {plan.StepCount} steps, {plan.LaunchesPerRun} launches per run, " +
            $"issue {plan.LastIssueMilliseconds:F3} ms");
        Assert.That(Bits(first), Is.EqualTo(Bits(Logits(pixels, captured: false))), "graph replay vs uncaptured launches");
        FixtureParity.AssertLogits(plan, dir, config.NumLabels);

        // New input between replays: the replay reads the uploaded input, not what the capture saw.
        var second = Logits(other, captured: true);
        Assert.That(Bits(second), Is.Not.EqualTo(Bits(first)), "a different input changes the logits");
        Assert.That(Bits(second), Is.EqualTo(Bits(Logits(other, captured: false))), "second input: graph replay vs uncaptured");
        Assert.That(Bits(Logits(pixels, captured: true)), Is.EqualTo(Bits(first)), "back to the first input");
        FixtureParity.AssertLogits(plan, dir, config.NumLabels);
    }

    [TestCase("tiny-mobilenet_v1")]
    [TestCase("tiny-efficientnet")]
    [TestCase("mobilenet_v1_1.0_224")]
    [TestCase("efficientnet-b7")]
    public void ConvnetGraph_opSupportCheckOfAuto_findsEveryOpOnHip(string name)
    {
        // What BackendSelector's auto asks on a real GPU: the graph VisionModel builds with recorded (zero) weights lowers whole.
        var config = ModelConfig.Load(Path.Combine(Fixtures.Model(name), "config.json"));
        using var hip = HipDevices.Open(64);   // loads the library (the squeeze-excite workspace size is a native query)
        Assert.That(HipBackend.Unsupported(config.BuildGraph(new RecordingWeights(), 1)), Is.Null);
    }

    [TestCase("tiny-mobilenet_v1")]
    [TestCase("tiny-efficientnet")]
    [TestCase("tiny-vit")]
    public void Classify_onHip_preprocessesOnTheDeviceLikeTheHost(string name)
    {
        var dir = Fixtures.Model(name);
        var images = Imaging.ImagingFixtures.Stems.Select(Imaging.ImagingFixtures.ImageFile).ToArray();
        using var hip = VisionModel.Load(dir, new VisionModelOptions { Backend = BackendKind.Hip, BatchSize = 2 });
        using var cpu = VisionModel.Load(dir, new VisionModelOptions { Backend = BackendKind.Cpu, Threads = 1, BatchSize = 2 });
        Assert.That(hip.PreprocessesOnDevice, Is.True);
        Assert.That(cpu.PreprocessesOnDevice, Is.False);
        var onDevice = hip.Classify(images, top: 3);
        var onCpu = cpu.Classify(images, top: 3);
        for (int i = 0; i < images.Length; i++)
        {
            // The same model input as host preprocessing (hv_preprocess is exact on the fixtures), so the same logits.
            var host = hip.TopK(hip.Run(hip.Preprocess(images[i]), 1), 3);
            var single = hip.Classify(images[i], top: 3);
            foreach (var got in new[] { onDevice[i], single })
            {
                Assert.That(got.Select(p => p.ClassId), Is.EqualTo(host.Select(p => p.ClassId)), images[i]);
                Assert.That(got.Select(p => p.Probability), Is.EqualTo(host.Select(p => p.Probability)).Within(1e-6), images[i]);
            }
            Assert.That(onDevice[i][0].ClassId, Is.EqualTo(onCpu[i][0].ClassId), $"{images[i]}: top-1 as on the CPU backend");
            Assert.That(onDevice[i].Select(p => p.Probability), Is.EqualTo(onCpu[i].Select(p => p.Probability)).Within(1e-4), images[i]);
        }
    }

    [Test]
    public void TinyMobileNet_visionModelWithHipBackend_classifiesLikeCpu()
    {
        var dir = Fixtures.Model("tiny-mobilenet_v1");
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        using var hip = VisionModel.Load(dir, new VisionModelOptions { Backend = BackendKind.Hip });
        using var cpu = VisionModel.Load(dir, new VisionModelOptions { Backend = BackendKind.Cpu, Threads = 1 });
        Assert.That(hip.BackendName, Is.EqualTo("hip"));
        Reference.TensorAssert.ModelOutput(hip.Run(pixels, shape[0]), cpu.Run(pixels, shape[0]), hip.Config.NumLabels, 1e-4, "tiny-mobilenet_v1 hip vs cpu");
    }

    [Test]
    public void Plan_afterDispose_throwsObjectDisposed()
    {
        var dir = Fixtures.Model("tiny-vit");
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = SafeTensorsWeights.Open(dir);
        using var hip = HipDevices.Open(64);
        var plan = hip.Compile(config.BuildGraph(weights, 1));
        var pixels = new float[plan.InputShape.Aggregate(1, (a, b) => a * b)];
        plan.Dispose();
        plan.Dispose();
        Assert.Throws<ObjectDisposedException>(() => plan.Run(pixels));
        Assert.Throws<ObjectDisposedException>(() => plan.CopyOutput("logits", new float[config.NumLabels]));
        using var other = hip.Compile(config.BuildGraph(weights, 1));
        Assert.Throws<ArgumentException>(() => other.Run(new float[3]), "a wrong input length is rejected");
        hip.Dispose();
        Assert.Throws<ObjectDisposedException>(() => other.Run(pixels), "a plan cannot run on a closed backend");
    }

    [Category("Gpu")]
    [TestCase("vit-base-patch16-224")]
    [TestCase("beit-base-patch16-224")]
    [TestCase("mobilenet_v1_1.0_224")]
    [TestCase("efficientnet-b7")]
    public void FullSize_onGpu_logitsMatchTransformers(string name)
    {
        HipDevices.RequireGpu($"full-size {name} on the HIP backend");
        var dir = Fixtures.Model(name);
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy.gz"), out var shape);
        using var hip = HipBackend.Open();
        using var plan = hip.Compile(config.BuildGraph(new SyntheticWeights(1), shape[0]));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        plan.Run(pixels);
        TestContext.Out.WriteLine($"{name} on {hip.DeviceName}: first run {clock.Elapsed.TotalMilliseconds:F1} ms");
        FixtureParity.AssertLogits(plan, dir, config.NumLabels);
    }
}
