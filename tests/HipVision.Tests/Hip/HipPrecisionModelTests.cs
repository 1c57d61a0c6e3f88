using HipVision.Backends.Hip;
using HipVision.IO;
using HipVision.Models;
using HipVision.Tests.Reference;
using HipVision.Weights;

namespace HipVision.Tests.Hip;

/// <summary>
/// The four tiny fixtures (batch 2) through <see cref="HipBackend"/> with weights and activations stored in fp16 and bf16, on the
/// emulator at warp 32 and 64: logits within <see cref="Precisions.Tolerance"/> of transformers' per image with the same argmax
/// (or, for a reference tie within that tolerance, one of the tied classes: <see cref="Precisions.TopClassTie"/>),
/// half the device bytes of fp32, and graph replay bit-identical to uncaptured launches.
/// </summary>
public class HipPrecisionModelTests
{
    static readonly string[] Models = ["tiny-vit", "tiny-beit", "tiny-mobilenet_v1", "tiny-efficientnet"];

    static IEnumerable<TestCaseData> Cases() =>
        from name in Models
        from precision in new[] { Precision.Fp16, Precision.Bf16 }
        from warp in HipDevices.WarpSizes
        select new TestCaseData(name, precision, warp);

    [TestCaseSource(nameof(Cases))]
    public void TinyFixture_atPrecision_logitsWithinStatedToleranceOfTransformers(string name, Precision precision, int warpSize)
    {
        var dir = Fixtures.Model(name);
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = SafeTensorsWeights.Open(dir);
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        var want = NpyFile.ReadFloat32(Path.Combine(dir, "logits.npy"), out _);
        using var hip = HipBackend.Open(warpSize: warpSize, hostThreads: 2, precision: precision);
        using var plan = hip.Compile(config.BuildGraph(weights, shape[0]));
        plan.Run(pixels);
        var got = new float[want.Length];
        plan.CopyOutput("logits", got);
        TestContext.Out.WriteLine($"{name} {precision.Name()} warp {warpSize}, batch {shape[0]}: tolerance {precision.Tolerance():E0}");
        TensorAssert.ModelOutput(got, want, config.NumLabels, precision.Tolerance(), $"{name} {precision.Name()} logits", tie: precision.TopClassTie());
    }

    [TestCase("tiny-vit", Precision.Fp16)]
    [TestCase("tiny-mobilenet_v1", Precision.Bf16)]
    [TestCase("tiny-efficientnet", Precision.Fp16)]
    public void TinyFixture_atPrecision_hiddenStatesWidenedOnDownloadWithinTolerance(string name, Precision precision)
    {
        // Hidden states come back widened, the convnets' NHWC ones also transposed to NCHW (HipExecutionPlan.CopyOutput).
        var dir = Fixtures.Model(name);
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = SafeTensorsWeights.Open(dir);
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        using var hip = HipBackend.Open(warpSize: 64, hostThreads: 2, precision: precision);
        var graph = config.BuildGraph(weights, shape[0], hiddenStates: true);
        using var plan = hip.Compile(graph);
        plan.Run(pixels);
        int hidden = graph.Outputs.Count(o => o.Name.StartsWith("hidden_states.", StringComparison.Ordinal));
        Assert.That(hidden, Is.GreaterThan(1));
        for (int k = 0; k < hidden; k++)
        {
            var want = NpyFile.ReadFloat32(Path.Combine(dir, $"hidden_states_{k}.npy"), out var wantShape);
            var got = new float[want.Length];
            plan.CopyOutput($"hidden_states.{k}", got);
            TensorAssert.ModelOutput(got, want, (int)HipVision.Graph.ShapeMath.Count(wantShape.AsSpan(1)), precision.Tolerance(), $"{name} {precision.Name()} hidden_states_{k}", argmax: false);
        }
    }

    [TestCase("tiny-vit")]
    [TestCase("tiny-efficientnet")]
    public void Plan_atFp16_holdsHalfTheWeightAndArenaBytes(string name)
    {
        var dir = Fixtures.Model(name);
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = SafeTensorsWeights.Open(dir);
        long Bytes(Precision p, out long arena)
        {
            using var hip = HipBackend.Open(warpSize: 64, hostThreads: 2, precision: p);
            using var plan = hip.Compile(config.BuildGraph(weights, 2));
            arena = plan.PeakBytes;
            Assert.That(hip.WeightBytes, Is.EqualTo(plan.WeightBytes));
            return plan.WeightBytes;
        }
        long w32 = Bytes(Precision.Fp32, out long a32), w16 = Bytes(Precision.Fp16, out long a16);
        TestContext.Out.WriteLine($"{name}: weights {w32} -> {w16} B, arena {a32} -> {a16} B");
        Assert.That(w16 * 2, Is.EqualTo(w32), "weights uploaded in the storage type");
        Assert.That(a16, Is.LessThanOrEqualTo(a32 / 2 + 256 * 16), "the arena sized by element size (alignment aside)");
    }

    [TestCase("tiny-vit", 32)]
    [TestCase("tiny-beit", 64)]
    [TestCase("tiny-mobilenet_v1", 32)]
    [TestCase("tiny-efficientnet", 64)]
    public void TinyFixture_atFp16_graphReplayBitIdenticalToUncapturedLaunches(string name, int warpSize)
    {
        var dir = Fixtures.Model(name);
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = SafeTensorsWeights.Open(dir);
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        using var hip = HipBackend.Open(warpSize: warpSize, hostThreads: 2, precision: Precision.Fp16);
        using var plan = (HipExecutionPlan)hip.Compile(config.BuildGraph(weights, shape[0]));
        uint[] Logits(bool captured)
        {
            plan.ProfilingEnabled = !captured;
            plan.Run(pixels);
            var logits = new float[shape[0] * config.NumLabels];
            plan.CopyOutput("logits", logits);
            return logits.Select(BitConverter.SingleToUInt32Bits).ToArray();
        }
        var replayed = Logits(captured: true);
        Assert.That(plan.CaptureError, Is.Null);
        Assert.That(plan.LaunchesPerRun, Is.GreaterThanOrEqualTo(plan.StepCount));
        Assert.That(replayed, Is.EqualTo(Logits(captured: false)), "fp16 graph replay vs uncaptured launches");
        Assert.That(Logits(captured: true), Is.EqualTo(replayed), "a second replay");
    }

    [TestCase("tiny-vit", Precision.Fp16)]
    [TestCase("tiny-efficientnet", Precision.Bf16)]
    public void Classify_atPrecision_preprocessesOnTheDeviceIntoTheStorageType(string name, Precision precision)
    {
        var dir = Fixtures.Model(name);
        var images = Imaging.ImagingFixtures.Stems.Select(Imaging.ImagingFixtures.ImageFile).ToArray();
        using var hip = VisionModel.Load(dir, new VisionModelOptions { Backend = BackendKind.Hip, Precision = precision, BatchSize = 2 });
        Assert.That(hip.PreprocessesOnDevice, Is.True);
        var onDevice = hip.Classify(images, top: 3);
        for (int i = 0; i < images.Length; i++)
        {
            // Host preprocessing narrowed on upload rounds the same fp32 pixels the same way hv_preprocess does on store.
            var host = hip.TopK(hip.Run(hip.Preprocess(images[i]), 1), 3);
            Assert.That(onDevice[i].Select(p => p.ClassId), Is.EqualTo(host.Select(p => p.ClassId)), images[i]);
            Assert.That(onDevice[i].Select(p => p.Probability), Is.EqualTo(host.Select(p => p.Probability)).Within(1e-3), images[i]);
        }
    }

    [Test]
    public void CpuBackend_refusesFp16_autoWithoutGpuToo()
    {
        var dir = Fixtures.Model("tiny-vit");
        var e = Assert.Throws<HipVisionException>(() => VisionModel.Load(dir, new VisionModelOptions { Backend = BackendKind.Cpu, Precision = Precision.Fp16 }));
        Assert.That(e!.Message, Does.Contain("fp16 needs a GPU"));
        if (HipBackend.LibraryBackend != "emulator") return;
        var auto = Assert.Throws<HipVisionException>(() => VisionModel.Load(dir, new VisionModelOptions { Precision = Precision.Bf16 }));
        Assert.That(auto!.Message, Does.Contain("bf16 needs a GPU").And.Contain("emulator"));
    }
}
