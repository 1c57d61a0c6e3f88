using HipVision.IO;
using HipVision.Tests.Reference;
using HipVision.Tests.Weights;

namespace HipVision.Tests.Cli;

/// <summary><c>hipvision run</c> through the real command: tiny-vit logits against transformers, .npy versions in and out.</summary>
public class RunCommandTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    static string TinyVit => Fixtures.Model("tiny-vit");

    [Test]
    public void Run_tinyVitPixelValues_logitsMatchTransformers()
    {
        var output = _tmp.File("logits.npy");
        CliAssert.Ok(CliRunner.Run("run", "--model", TinyVit, "--input", Path.Combine(TinyVit, "pixel_values.npy"), "--output", output, "--backend", "cpu"));
        AssertLogitsMatchFixture(output);
    }

    [TestCase(2)]
    [TestCase(3)]
    public void Run_inputInNpyVersion_readsItAndWritesVersion1(int version)
    {
        var pixels = NpyFile.Read(Path.Combine(TinyVit, "pixel_values.npy"));
        var input = _tmp.File($"pixel_values_v{version}.npy");
        BadFiles.WriteNpy(input, pixels.Dtype, pixels.Shape, pixels.Data, version);
        var output = _tmp.File("logits.npy");
        CliAssert.Ok(CliRunner.Run("run", "--model", TinyVit, "--input", input, "--output", output));
        Assert.That(File.ReadAllBytes(output)[6], Is.EqualTo(1), "logits are written as .npy version 1");
        AssertLogitsMatchFixture(output);
    }

    [Test]
    public void Run_existingOutput_isReplaced()
    {
        var output = _tmp.File("logits.npy");
        File.WriteAllText(output, "old contents");
        CliAssert.Ok(CliRunner.Run("run", "--model", TinyVit, "--input", Path.Combine(TinyVit, "pixel_values.npy"), "--output", output));
        AssertLogitsMatchFixture(output);
        Assert.That(Directory.GetFiles(_tmp.Path), Is.EquivalentTo(new[] { output }), "no temporary files left beside the output");
    }

    /// <summary>The fixtures' criterion: per row max|Δ| ≤ 1e-4·max|ref|, ‖Δ‖/‖ref‖ ≤ 1e-4 and the same argmax.</summary>
    static void AssertLogitsMatchFixture(string output)
    {
        var got = NpyFile.Read(output);
        var want = NpyFile.Read(Path.Combine(TinyVit, "logits.npy"));
        Assert.That(got.Dtype, Is.EqualTo("<f4"));
        Assert.That(got.Shape, Is.EqualTo(want.Shape));
        TensorAssert.ModelOutput(got.ToFloat32(output), want.ToFloat32("logits.npy"), want.Shape[^1], 1e-4, "tiny-vit logits from hipvision run");
    }
}
