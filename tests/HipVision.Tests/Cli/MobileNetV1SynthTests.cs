using HipVision.Models;
using HipVision.Tests.Weights;
using HipVision.Weights;

namespace HipVision.Tests.Cli;

/// <summary>
/// <c>hipvision synth --arch mobilenet_v1_1.0_224</c>: the whole HF state_dict, float tensors checked by CRC-32 against
/// the fixture manifest and every BatchNorm's <c>num_batches_tracked</c> as int64 0-d 0, so transformers loads it
/// without missing keys.
/// </summary>
public class MobileNetV1SynthTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    [Test]
    public void Synth_mobileNetV1Seed1_writesEveryStateDictEntryIncludingNumBatchesTracked()
    {
        const string model = "mobilenet_v1_1.0_224";
        var output = Path.Combine(_tmp.Path, model);
        CliAssert.Ok(CliRunner.Run("synth", "--arch", model, "--seed", StateDictManifest.Seed(model).ToString(), "--output", output));

        var fixture = Fixtures.Model(model);
        var config = ModelConfig.Load(Path.Combine(output, "config.json"));
        var want = ModelConfig.Load(Path.Combine(fixture, "config.json"));
        Assert.That(config with { Labels = [] }, Is.EqualTo(want with { Labels = [] }), "config.json fields");
        Assert.That(config.Labels, Is.EqualTo(want.Labels), "id2label");
        Assert.That(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(output, "preprocessor_config.json"))),
            System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(fixture, "preprocessor_config.json")))), Is.True, "preprocessor_config.json is the hub model's");

        using var weights = SafeTensorsFile.Open(Path.Combine(output, "model.safetensors"));
        var manifest = StateDictManifest.Read(model);
        Assert.That(weights.Tensors.Select(t => t.Name), Is.EquivalentTo(manifest.Select(e => e.Name)), "tensor names");
        foreach (var e in manifest)
        {
            var info = weights.Info(e.Name);
            Assert.That(info.Shape, Is.EqualTo(e.Shape), e.Name);
            if (e.Dtype == "int64")
            {
                Assert.That(info.Dtype, Is.EqualTo(SafeTensorDtype.I64), e.Name);
                Assert.That(weights.Bytes(e.Name).ToArray(), Is.EqualTo(new byte[8]), $"{e.Name} = 0");
                continue;
            }
            Assert.That(info.Dtype, Is.EqualTo(SafeTensorDtype.F32), e.Name);
            Assert.That(Crc32.Compute(weights.Bytes(e.Name)), Is.EqualTo(e.Crc32), $"CRC-32 of {e.Name}");
        }
        Assert.That(manifest.Count(e => e.Dtype == "int64"), Is.EqualTo(27), "stem + 26 layers");
    }
}
