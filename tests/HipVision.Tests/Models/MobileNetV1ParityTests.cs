using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.IO;
using HipVision.Models;
using HipVision.Tests.Reference;
using HipVision.Tests.Weights;
using HipVision.Weights;

namespace HipVision.Tests.Models;

/// <summary>MobileNetV1 against the Hugging Face reference outputs in tests/fixtures (transformers 4.38.2).</summary>
public class MobileNetV1ParityTests
{
    [Test]
    public void TinyMobileNetV1_fixtureWeights_logitsAndEveryHiddenStateMatchTransformers()
    {
        var dir = Fixtures.Model("tiny-mobilenet_v1");
        var config = (MobileNetV1Config)ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = SafeTensorsWeights.Open(dir);
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        using var plan = new CpuBackend(2).Compile(config.BuildGraph(weights, shape[0], hiddenStates: true));
        plan.Run(pixels);

        // HF returns one hidden state per layer of the 26 (13 depthwise + 13 pointwise), not the stem's output.
        Assert.That(File.Exists(Path.Combine(dir, "hidden_states_26.npy")), Is.False);
        for (int k = 0; k < 26; k++)
        {
            FixtureParity.AssertHiddenState(plan, dir, k);
        }
        FixtureParity.AssertLogits(plan, dir, config.NumLabels);
    }

    [Test]
    public void MobileNetV1_1_0_224_hvSynthSeed1_logitsMatchTransformers()
    {
        var dir = Fixtures.Model("mobilenet_v1_1.0_224");
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        Assert.That(config with { Labels = [] }, Is.EqualTo(MobileNetV1Config.MobileNetV1_1_0_224 with { Labels = [] }), "fixture config.json = preset");
        Assert.That(config.Labels, Is.EqualTo(MobileNetV1Config.MobileNetV1_1_0_224.Labels), "id2label = background + ImageNet-1k");
        Assert.That(config.Labels[0], Is.EqualTo("background"));
        FixtureParity.AssertSyntheticModel(config, dir);
    }

    [Test]
    public void MobileNetV1_parameterCount_matchesFixture()
    {
        Assert.That(MobileNetV1Config.MobileNetV1_1_0_224.ParameterCount, Is.EqualTo(4_254_889));
        var tiny = ModelConfig.Load(Path.Combine(Fixtures.Model("tiny-mobilenet_v1"), "config.json"));
        Assert.That(tiny.ParameterCount, Is.EqualTo(221_114));
    }

    [Test]
    public void MobileNetV1_tinySafetensors_holdsParametersPlusNumBatchesTracked()
    {
        var dir = Fixtures.Model("tiny-mobilenet_v1");
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var file = SafeTensorsFile.Open(Path.Combine(dir, "model.safetensors"));
        var floats = config.Parameters();
        var extra = config.ExtraStateDict();
        Assert.That(floats.Select(p => p.Name).Concat(extra.Select(e => e.Name)), Is.EquivalentTo(file.Tensors.Select(t => t.Name)), "every state_dict entry, nothing else");
        foreach (var (name, shape) in floats) Assert.That(file.Info(name).Shape, Is.EqualTo(shape), name);
        foreach (var (name, dtype, shape, data) in extra)
        {
            Assert.That(file.Info(name).Dtype, Is.EqualTo(dtype), name);
            Assert.That(file.Info(name).Shape, Is.EqualTo(shape), name);
            Assert.That(file.Bytes(name).ToArray(), Is.EqualTo(data), name);
        }
    }

    [TestCase("tiny-mobilenet_v1")]
    [TestCase("mobilenet_v1_1.0_224")]
    public void MobileNetV1_stateDict_isTheManifestInHfOrder(string model)
    {
        var config = ModelConfig.Load(Path.Combine(Fixtures.Model(model), "config.json"));
        var manifest = StateDictManifest.Read(model);
        Assert.That(config.Parameters().Select(p => (p.Name, Shape: string.Join(",", p.Shape))),
            Is.EqualTo(manifest.Where(e => e.Dtype == "float32").Select(e => (e.Name, Shape: string.Join(",", e.Shape)))), "float tensors, HF state_dict order");
        Assert.That(config.ExtraStateDict().Select(e => e.Name), Is.EqualTo(manifest.Where(e => e.Dtype != "float32").Select(e => e.Name)), "num_batches_tracked");
        Assert.That(manifest.Where(e => e.Dtype != "float32").Select(e => e.Dtype).Distinct(), Is.EqualTo(new[] { "int64" }));
    }

    [Test]
    public void MobileNetV1_0_75_192_preset_buildsRunsAndHasTheHubWidths()
    {
        var config = (MobileNetV1Config)ModelPresets.Get("google/mobilenet_v1_0.75_192");
        Assert.That(config, Is.EqualTo(ModelPresets.Get("mobilenet_v1_0.75_192")).Using<ModelConfig>((a, b) => a.ToString() == b.ToString()));
        // int(32·0.75) = 24, then 48, 96, 96, 192, 192, 384 ×6, 768 ×2.
        Assert.That(config.Widths(), Is.EqualTo(new[] { 24, 48, 96, 96, 192, 192, 384, 384, 384, 384, 384, 384, 768, 768 }));
        Assert.That(config.InputSize, Is.EqualTo((3, 192, 192)));
        Assert.That(config.NumLabels, Is.EqualTo(1001));
        Assert.That(config.DefaultPreprocessorJson, Does.Contain("\"shortest_edge\": 224").And.Contain("\"height\": 192"));

        var graph = config.BuildGraph(new SyntheticWeights(1), 1, hiddenStates: true);
        Assert.That(graph.Outputs.Single(o => o.Name == "hidden_states.25").Node.Shape, Is.EqualTo(new[] { 1, 768, 6, 6 }));
        using var plan = new CpuBackend(2).Compile(graph);
        plan.Run(HvSynth.PixelValues([1, 3, 192, 192], 1));
        var logits = new float[1001];
        plan.CopyOutput("logits", logits);
        Assert.That(logits.All(float.IsFinite) && logits.Max() > logits.Min(), Is.True, "finite, not constant logits");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void MobileNetV1_tfPaddingOff_padsSymmetricallyLikeNnConv2d(bool tfPadding)
    {
        // An even input at a stride-2 3×3 conv: TF SAME pads 0 before and 1 after, nn.Conv2d(padding=1) pads 1 on
        // both sides; output sizes agree (32 → 16 → 8 → 4 → 2 → 1), values do not.
        var config = new MobileNetV1Config { DepthMultiplier = 0.25, ImageSize = 32, TfPadding = tfPadding, Labels = ["a", "b"] };
        var graph = config.BuildGraph(new SyntheticWeights(1), 1);
        var stem = graph.Nodes.First(n => n.Kind == OpKind.Conv2d).Attr<Conv2dAttributes>();
        Assert.That(stem.Padding, Is.EqualTo(tfPadding ? new Padding2d(0, 1, 0, 1) : Padding2d.Symmetric(1)));
        Assert.That(graph.Outputs.Single().Node.Shape, Is.EqualTo(new[] { 1, 2 }));
    }

    [TestCase("""{"model_type": "mobilenet_v1", "hidden_act": "gelu"}""", "hidden_act 'gelu'")]
    [TestCase("""{"model_type": "mobilenet_v1", "depth_multiplier": 0}""", "depth_multiplier 0 must be greater than zero")]
    [TestCase("""{"model_type": "mobilenet_v1", "min_depth": -1}""", "min_depth -1")]
    [TestCase("""{"model_type": "mobilenet_v1", "image_size": 0}""", "image_size 0")]
    [TestCase("""{"model_type": "mobilenet_v1", "tf_padding": "yes"}""", "'tf_padding' must be true or false")]
    [TestCase("""{"model_type": "mobilenet_v1", "depth_multiplier": 1e9}""", "wider than")]
    public void MobileNetV1Config_badField_failsWithOneLineNamingTheFile(string json, string message)
    {
        var e = Assert.Throws<HipVisionException>(() => ModelConfig.Parse(json, "dir/config.json"))!;
        Assert.That(e.Message, Does.StartWith("dir/config.json: ").And.Contain(message).And.Not.Contain("\n"));
    }

    [Test]
    public void MobileNetV1Config_writeJsonThenParse_roundTrips()
    {
        foreach (var preset in new[] { MobileNetV1Config.MobileNetV1_1_0_224, MobileNetV1Config.MobileNetV1_0_75_192 })
        {
            using var buffer = new MemoryStream();
            using (var w = new System.Text.Json.Utf8JsonWriter(buffer)) preset.WriteJson(w);
            var back = ModelConfig.Parse(System.Text.Encoding.UTF8.GetString(buffer.ToArray()), "roundtrip");
            Assert.That(back with { Labels = [] }, Is.EqualTo(preset with { Labels = [] }));
            Assert.That(back.Labels, Is.EqualTo(preset.Labels));
        }
    }

}
