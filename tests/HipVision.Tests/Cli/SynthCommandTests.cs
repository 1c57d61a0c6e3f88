using System.Text.Json.Nodes;
using HipVision.Models;
using HipVision.Tests.Weights;
using HipVision.Weights;

namespace HipVision.Tests.Cli;

/// <summary>
/// <c>hipvision synth</c> through the real command. vit-base-patch16-224 is the smallest preset (86.6 M parameters,
/// a 346 MB file, about 10 s); its output is checked tensor by tensor against the fixture's state_dict manifest.
/// </summary>
public class SynthCommandTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    [Test]
    public void Synth_vitBaseSeed1_writesHfModelDirectoryWithHvSynthV2Weights()
    {
        const string model = "vit-base-patch16-224";
        var output = Path.Combine(_tmp.Path, "out", model);
        CliAssert.Ok(CliRunner.Run("synth", "--arch", model, "--seed", StateDictManifest.Seed(model).ToString(), "--output", output));

        Assert.That(Directory.GetFileSystemEntries(output).Select(Path.GetFileName),
            Is.EquivalentTo(new[] { "config.json", "preprocessor_config.json", "model.safetensors" }), "exactly the three files, no temporaries");

        var fixture = Fixtures.Model(model);
        var config = ModelConfig.Load(Path.Combine(output, "config.json"));
        var want = ModelConfig.Load(Path.Combine(fixture, "config.json"));
        Assert.That(config with { Labels = [] }, Is.EqualTo(want with { Labels = [] }), "config.json fields");
        Assert.That(config.Labels, Is.EqualTo(want.Labels), "id2label");
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(Path.Combine(output, "preprocessor_config.json"))),
            JsonNode.Parse(File.ReadAllText(Path.Combine(fixture, "preprocessor_config.json")))), Is.True, "preprocessor_config.json is the hub model's");

        using var weights = SafeTensorsFile.Open(Path.Combine(output, "model.safetensors"));
        var manifest = StateDictManifest.Read(model);
        Assert.That(weights.Tensors.Select(t => t.Name), Is.EquivalentTo(manifest.Select(e => e.Name)), "tensor names");
        foreach (var e in manifest)
        {
            var info = weights.Info(e.Name);
            Assert.That(info.Dtype, Is.EqualTo(SafeTensorDtype.F32), e.Name);
            Assert.That(info.Shape, Is.EqualTo(e.Shape), e.Name);
            Assert.That(Crc32.Compute(weights.Bytes(e.Name)), Is.EqualTo(e.Crc32), $"CRC-32 of {e.Name}");
        }
    }

    [Test]
    public void Synth_outputIsAFile_failsWithOneLineAndLeavesTheFile()
    {
        var output = _tmp.File("taken");
        File.WriteAllText(output, "mine");
        CliAssert.RuntimeError(CliRunner.Run("synth", "--arch", "vit-base-patch16-224", "--output", output), output);
        Assert.That(File.ReadAllText(output), Is.EqualTo("mine"));
    }

    [Test]
    public void Synth_outputBelowAFile_failsWithOneLineAndWritesNothing()
    {
        var file = _tmp.File("taken");
        File.WriteAllText(file, "mine");
        var output = Path.Combine(file, "model");
        CliAssert.RuntimeError(CliRunner.Run("synth", "--arch", "vit-base-patch16-224", "--output", output), output);
        Assert.That(Directory.GetFileSystemEntries(_tmp.Path), Is.EqualTo(new[] { file }), "no temporary left");
        Assert.That(File.ReadAllText(file), Is.EqualTo("mine"));
    }

    [Test]
    public void Synth_moveIntoDirectoryFails_leavesTheDirectoryAsItWasAndNoTemporary()
    {
        var output = Path.Combine(_tmp.Path, "model");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "config.json"), "old");
        // A directory where a file must go. Files move in name order, so config.json and model.safetensors are already
        // in when this one fails: the failure must take them out again and put the old config.json back.
        var inTheWay = Path.Combine(output, "preprocessor_config.json");
        Directory.CreateDirectory(inTheWay);
        CliAssert.RuntimeError(CliRunner.Run("synth", "--arch", "vit-base-patch16-224", "--output", output), inTheWay + ": cannot write");
        Assert.That(Directory.GetFileSystemEntries(output).Select(Path.GetFileName),
            Is.EquivalentTo(new[] { "config.json", "preprocessor_config.json" }), "no model.safetensors, no temporaries");
        Assert.That(File.ReadAllText(Path.Combine(output, "config.json")), Is.EqualTo("old"));
        Assert.That(Directory.GetFileSystemEntries(_tmp.Path), Is.EqualTo(new[] { output }), "no staging directory beside it");
    }

    [Test]
    public void Synth_unknownArch_failsWithOneLineListingTheKnownOnes()
    {
        var output = Path.Combine(_tmp.Path, "out");
        CliAssert.RuntimeError(CliRunner.Run("synth", "--arch", "resnet-50", "--output", output), "'resnet-50'", "vit-base-patch16-224");
        CliAssert.NothingWritten(output);
    }
}
