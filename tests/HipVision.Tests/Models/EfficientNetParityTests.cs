using System.Text.Json;
using HipVision.Backends.Cpu;
using HipVision.IO;
using HipVision.Models;
using HipVision.Tests.Reference;
using HipVision.Weights;

namespace HipVision.Tests.Models;

/// <summary>
/// EfficientNet against the Hugging Face reference outputs in tests/fixtures (transformers 4.38.2). The logits
/// are small (std 3e-3 to 1e-2), so the criterion is relative to max|ref| (<see cref="TensorAssert.ModelOutput"/>).
/// </summary>
public class EfficientNetParityTests
{
    [Test]
    public void TinyEfficientNet_fixtureWeights_logitsAndEveryHiddenStateMatchTransformers()
    {
        var dir = Fixtures.Model("tiny-efficientnet");
        var config = (EfficientNetConfig)ModelConfig.Load(Path.Combine(dir, "config.json"));
        Assert.That(config.Blocks, Has.Count.EqualTo(10), "ceil(0.5·[1,2,2,3,3,4,1]) blocks");
        using var weights = SafeTensorsWeights.Open(dir);
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        using var plan = new CpuBackend(2).Compile(config.BuildGraph(weights, shape[0], hiddenStates: true));
        plan.Run(pixels);

        // HF returns the embeddings output and every block's output (not top_conv's): blocks + 1 tensors.
        for (int k = 0; k <= config.Blocks.Count; k++)
        {
            FixtureParity.AssertHiddenState(plan, dir, k);
        }
        Assert.That(File.Exists(Path.Combine(dir, $"hidden_states_{config.Blocks.Count + 1}.npy")), Is.False, "no further hidden state in the fixture");
        FixtureParity.AssertLogits(plan, dir, config.NumLabels);
    }

    [Test]
    public void EfficientNetB7_hvSynthSeed1_logitsMatchTransformers()
    {
        var dir = Fixtures.Model("efficientnet-b7");
        var config = (EfficientNetConfig)ModelConfig.Load(Path.Combine(dir, "config.json"));
        Assert.That(config.Blocks, Is.EqualTo(EfficientNetConfig.B7.Blocks), "hub config = B7 preset");
        var shape = FixtureParity.AssertSyntheticModel(config, dir);
        Assert.That(shape, Is.EqualTo(new[] { 1, 3, 600, 600 }));
    }

    [TestCase("tiny-efficientnet", 209_104)]
    [TestCase("efficientnet-b7", 66_658_680)]
    public void EfficientNet_parameters_matchFixtureManifestInStateDictOrder(string model, long count)
    {
        var dir = Fixtures.Model(model);
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        Assert.That(config.ParameterCount, Is.EqualTo(count), "fixture.json parameter_count");
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "state_dict_manifest.json")));
        var want = manifest.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("dtype").GetString() == "float32")
            .Select(e => $"{e.GetProperty("name").GetString()} [{string.Join(",", e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()))}]");
        var got = config.Parameters().Select(p => $"{p.Name} [{string.Join(",", p.Shape)}]");
        Assert.That(got, Is.EqualTo(want), "every float tensor of HF's state_dict, same names, shapes and order");
    }

    [Test]
    public void EfficientNetB0_parameterCount_isPublishedCountPlusBatchNormRunningStats()
    {
        // 5,288,548 trainable parameters (Keras/HF B0). HF's state_dict adds running_mean and running_var per
        // BatchNorm channel: stem 32, top 1280, and per block expand_bn (expanded dim, not in block 0),
        // depthwise_norm (expanded dim) and project_bn (output dim): 21,008 channels in all, ×2.
        const long trainable = 5_288_548, runningStats = 2 * 21_008;
        Assert.That(EfficientNetConfig.B0.ParameterCount, Is.EqualTo(trainable + runningStats));
    }

    [TestCase("efficientnet-b0", 224, 16, 1280)]
    [TestCase("efficientnet-b1", 240, 23, 1280)]
    [TestCase("efficientnet-b2", 260, 23, 1408)]
    [TestCase("efficientnet-b3", 300, 26, 1536)]
    [TestCase("efficientnet-b4", 380, 32, 1792)]
    [TestCase("efficientnet-b5", 456, 39, 2048)]
    [TestCase("efficientnet-b6", 528, 45, 2304)]
    [TestCase("efficientnet-b7", 600, 55, 2560)]
    public void EfficientNetPresets_everyVariant_buildsWithHubShapes(string name, int image, int blocks, int hidden)
    {
        var config = (EfficientNetConfig)ModelPresets.Get(name);
        Assert.That(ModelPresets.Get("google/" + name), Is.EqualTo(config).Using<ModelConfig>((a, b) => a.InputSize == b.InputSize));
        Assert.That((config.ImageSize, config.Blocks.Count, config.HiddenDim, config.NumLabels), Is.EqualTo((image, blocks, hidden, 1000)));
        config.Validate(name);
        var graph = config.BuildGraph(new ZeroWeights(), 1);
        Assert.That(graph.Outputs.Single().Node.Shape, Is.EqualTo(new[] { 1, 1000 }));
        Assert.That(config.DefaultPreprocessorJson, Does.Contain($"\"size\": {{\"height\": {image}, \"width\": {image}}}"));
    }


    /// <summary>Zeros of any shape: enough to build (not run) a graph without generating weights.</summary>
    sealed class ZeroWeights : IWeightSource
    {
        public string SourceName => "zeros";
        public IEnumerable<string> Names => [];
        public bool Contains(string name) => true;
        public float[] Get(string name, int[] expectedShape) => new float[HipVision.Graph.ShapeMath.Count(expectedShape)];
        public void Dispose() { }
    }
}
