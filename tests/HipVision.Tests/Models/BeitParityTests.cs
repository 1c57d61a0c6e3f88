using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.IO;
using HipVision.Imaging;
using HipVision.Models;
using HipVision.Tests.Reference;
using HipVision.Tests.Weights;
using HipVision.Weights;

namespace HipVision.Tests.Models;

/// <summary>BEiT against the Hugging Face reference outputs in tests/fixtures (transformers 4.38.2).</summary>
public class BeitParityTests
{
    const double Tolerance = FixtureParity.Tolerance;

    [Test]
    public void TinyBeit_fixtureWeights_logitsAndEveryHiddenStateMatchTransformers()
    {
        var dir = Fixtures.Model("tiny-beit");
        var config = (BeitConfig)ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = SafeTensorsWeights.Open(dir);
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        using var plan = new CpuBackend(2).Compile(config.BuildGraph(weights, shape[0], hiddenStates: true));
        plan.Run(pixels);

        for (int k = 0; k <= config.NumHiddenLayers; k++)
        {
            FixtureParity.AssertHiddenState(plan, dir, k);
        }
        FixtureParity.AssertLogits(plan, dir, config.NumLabels);
    }

    [Test]
    public void TinyBeit_float64Reference_matchesTransformers()
    {
        // Validates the test oracle itself before it judges the configurations no fixture covers.
        var dir = Fixtures.Model("tiny-beit");
        var config = (BeitConfig)ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = SafeTensorsWeights.Open(dir);
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        var (logits, hidden) = BeitReference.Forward(config, weights, pixels, shape[0]);
        var want = NpyFile.ReadFloat32(Path.Combine(dir, "logits.npy"), out _);
        TensorAssert.ModelOutput(Array.ConvertAll(logits, v => (float)v), want, config.NumLabels, 1e-5, "reference logits");
        var last = NpyFile.ReadFloat32(Path.Combine(dir, $"hidden_states_{config.NumHiddenLayers}.npy"), out _);
        TensorAssert.ModelOutput(Array.ConvertAll(hidden[^1], v => (float)v), last, last.Length / shape[0], 1e-5, "reference last hidden state", argmax: false);
    }

    [Test]
    public void BeitBase_hvSynthSeed1_logitsMatchTransformers()
    {
        var dir = Fixtures.Model("beit-base-patch16-224");
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        FixtureParity.AssertSyntheticModel(config, dir);
    }

    [Test]
    public void BeitBase_preset_equalsHubConfigFixture()
    {
        var loaded = (BeitConfig)ModelConfig.Load(Path.Combine(Fixtures.Model("beit-base-patch16-224"), "config.json"));
        var preset = BeitConfig.BeitBasePatch16_224;
        Assert.That(loaded.Labels, Is.EqualTo(preset.Labels));
        Assert.That(loaded with { Labels = preset.Labels }, Is.EqualTo(preset));
        var hubPreprocessor = File.ReadAllText(Path.Combine(Fixtures.Model("beit-base-patch16-224"), "preprocessor_config.json"));
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(preset.DefaultPreprocessorJson), JsonNode.Parse(hubPreprocessor)), Is.True, "preprocessor_config.json is the hub model's");
        var parsed = PreprocessorConfig.Parse(preset.DefaultPreprocessorJson, "default");
        var want = PreprocessorConfig.BeitBasePatch16_224;
        Assert.That((parsed.ImageMean, parsed.ImageStd), Is.EqualTo((want.ImageMean, want.ImageStd)));
        Assert.That(parsed with { ImageMean = want.ImageMean, ImageStd = want.ImageStd }, Is.EqualTo(want));
    }

    [Test]
    public void Beit_parameterCount_matchesFixtureStateDict()
    {
        Assert.That(BeitConfig.BeitBasePatch16_224.ParameterCount, Is.EqualTo(86_530_984));
        var tiny = ModelConfig.Load(Path.Combine(Fixtures.Model("tiny-beit"), "config.json"));
        Assert.That(tiny.ParameterCount, Is.EqualTo(80_682));
        using var weights = SafeTensorsWeights.Open(Fixtures.Model("tiny-beit"));
        Assert.That(tiny.Parameters().Select(p => p.Name), Is.EquivalentTo(weights.Names), "the graph reads exactly the state_dict");
    }

    [Test]
    public void BeitBase_parameters_equalStateDictManifest()
    {
        // What `hipvision synth` writes: exactly HF's state_dict (relative_position_index is a non-persistent buffer).
        var manifest = StateDictManifest.Read("beit-base-patch16-224").ToDictionary(e => e.Name);
        var parameters = BeitConfig.BeitBasePatch16_224.Parameters();
        Assert.That(parameters.Select(p => p.Name), Is.EquivalentTo(manifest.Keys));
        foreach (var (name, shape) in parameters) Assert.That(shape, Is.EqualTo(manifest[name].Shape), name);
    }

    [Test]
    public void BeitConfig_writeJson_roundTrips()
    {
        foreach (var config in new[] { BeitConfig.BeitBasePatch16_224, SharedBiasConfig, AbsoluteClsConfig })
        {
            var parsed = (BeitConfig)ModelConfig.Parse(ToJson(config), "written.json");
            Assert.That(parsed.Labels, Is.EqualTo(config.Labels));
            Assert.That(parsed with { Labels = config.Labels }, Is.EqualTo(config));
        }
    }

    [TestCase("""{"model_type": "beit", "hidden_act": "relu"}""", "hidden_act")]
    [TestCase("""{"model_type": "beit", "hidden_size": 100, "num_attention_heads": 12}""", "hidden_size")]
    [TestCase("""{"model_type": "beit", "image_size": 8, "patch_size": 16}""", "image_size")]
    [TestCase("""{"model_type": "beit", "use_mean_pooling": "yes"}""", "use_mean_pooling")]
    public void BeitConfig_badValue_oneLineErrorNamingFile(string json, string key)
    {
        var e = Assert.Throws<HipVisionException>(() => ModelConfig.Parse(json, "bad/config.json"));
        Assert.That(e!.Message, Does.StartWith("bad/config.json: ").And.Contain(key).And.Not.Contain("\n"));
    }

    [Test]
    public void Beit_sharedRelativePositionBias_buildsRunsAndMatchesReference()
    {
        var names = RunAgainstReference(SharedBiasConfig);
        Assert.That(names, Does.Contain("beit.encoder.relative_position_bias.relative_position_bias_table"));
        Assert.That(names.Where(n => n.Contains("layer.") && n.Contains("relative_position_bias")), Is.Empty);
        Assert.That(names, Does.Contain("beit.encoder.layer.1.lambda_2").And.Contain("beit.pooler.layernorm.weight"));
    }

    [Test]
    public void Beit_sharedAndPerLayerBias_bothAdded()
    {
        var names = RunAgainstReference(SharedBiasConfig with { UseRelativePositionBias = true });
        Assert.That(names, Does.Contain("beit.encoder.relative_position_bias.relative_position_bias_table")
            .And.Contain("beit.encoder.layer.0.attention.attention.relative_position_bias.relative_position_bias_table"));
    }

    [Test]
    public void Beit_absolutePositionEmbeddingsAndClsPooling_buildsRunsAndMatchesReference()
    {
        var names = RunAgainstReference(AbsoluteClsConfig);
        Assert.That(names, Does.Contain("beit.embeddings.position_embeddings").And.Contain("beit.layernorm.weight")
            .And.Contain("beit.embeddings.mask_token"));
        Assert.That(names.Where(n => n.Contains("relative_position") || n.Contains("lambda") || n.Contains("pooler")), Is.Empty);
        Assert.That(names.Where(n => n.EndsWith("key.bias", StringComparison.Ordinal)), Is.Empty, "BEiT's key has no bias");
    }

    /// <summary>Shared table only, mean pooling, layer scale; a 3×3 window.</summary>
    internal static BeitConfig SharedBiasConfig => new()
    {
        HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 48, ImageSize = 24, PatchSize = 8,
        UseRelativePositionBias = false, UseSharedRelativePositionBias = true,
        Labels = ["a", "b", "c", "d", "e"],
    };

    /// <summary>No relative bias, absolute position embeddings, [CLS] pooling, no layer scale, a mask token; a 5×5 window.</summary>
    internal static BeitConfig AbsoluteClsConfig => new()
    {
        HiddenSize = 24, NumHiddenLayers = 2, NumAttentionHeads = 3, IntermediateSize = 40, ImageSize = 20, PatchSize = 4,
        UseAbsolutePositionEmbeddings = true, UseMeanPooling = false, LayerScaleInitValue = 0, UseMaskToken = true,
        Labels = ["x", "y", "z"],
    };

    /// <summary>
    /// Runs the config on hv-synth weights (seed 1) and a random batch of 2 on <paramref name="backend"/> (the CPU by default);
    /// checks shapes, finiteness and the float64 reference.
    /// </summary>
    internal static IReadOnlyList<string> RunAgainstReference(BeitConfig config, IBackend? backend = null)
    {
        const int batch = 2;
        var weights = new SyntheticWeights(1);
        var graph = config.BuildGraph(weights, batch, hiddenStates: true);
        var pixels = TestRandom.Create("pixel_values").Uniform([batch, 3, config.ImageSize, config.ImageSize]);
        using var plan = (backend ?? new CpuBackend(2)).Compile(graph);
        plan.Run(pixels);
        var (wantLogits, wantHidden) = BeitReference.Forward(config, weights, pixels, batch);

        var logits = new float[batch * config.NumLabels];
        plan.CopyOutput("logits", logits);
        Assert.That(logits.All(float.IsFinite), "finite logits");
        TensorAssert.ModelOutput(logits, Array.ConvertAll(wantLogits, v => (float)v), config.NumLabels, Tolerance, "logits");
        for (int k = 0; k <= config.NumHiddenLayers; k++)
        {
            var hidden = new float[batch * (config.NumPatches + 1) * config.HiddenSize];
            plan.CopyOutput($"hidden_states.{k}", hidden);
            TensorAssert.ModelOutput(hidden, Array.ConvertAll(wantHidden[k], v => (float)v), hidden.Length / batch, Tolerance, $"hidden_states_{k}", argmax: false);
        }
        return config.Parameters().Select(p => p.Name).ToArray();
    }

    static string ToJson(ModelConfig config)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream)) config.WriteJson(json);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

}
