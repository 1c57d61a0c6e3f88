using HipVision.Backends.Cpu;
using HipVision.IO;
using HipVision.Models;
using HipVision.Tests.Reference;
using HipVision.Weights;

namespace HipVision.Tests.Models;

/// <summary>ViT against the Hugging Face reference outputs in tests/fixtures (transformers 4.38.2).</summary>
public class VitParityTests
{
    [Test]
    public void TinyVit_fixtureWeights_logitsAndEveryHiddenStateMatchTransformers()
    {
        var dir = Fixtures.Model("tiny-vit");
        var config = (VitConfig)ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = SafeTensorsWeights.Open(dir);
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        var graph = config.BuildGraph(weights, shape[0], hiddenStates: true);
        using var plan = new CpuBackend(2).Compile(graph);
        plan.Run(pixels);

        for (int k = 0; k <= config.NumHiddenLayers; k++)
        {
            FixtureParity.AssertHiddenState(plan, dir, k);
        }
        FixtureParity.AssertLogits(plan, dir, config.NumLabels);
    }

    [Test]
    public void VitBase_hvSynthSeed1_logitsMatchTransformers()
    {
        var dir = Fixtures.Model("vit-base-patch16-224");
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        Assert.That(config, Is.EqualTo(VitConfig.VitBasePatch16_224).Using<ModelConfig>((a, b) => a.ParameterCount == b.ParameterCount && a.NumLabels == b.NumLabels));
        FixtureParity.AssertSyntheticModel(config, dir);
    }

    [Test]
    public void VitBase_parameterCount_matchesFixture()
    {
        Assert.That(VitConfig.VitBasePatch16_224.ParameterCount, Is.EqualTo(86_567_656));
        var tiny = ModelConfig.Load(Path.Combine(Fixtures.Model("tiny-vit"), "config.json"));
        Assert.That(tiny.ParameterCount, Is.EqualTo(81_226));
    }

}
