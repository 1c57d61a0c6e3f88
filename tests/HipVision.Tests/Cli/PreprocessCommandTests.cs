using HipVision.IO;
using HipVision.Tests.Imaging;
using HipVision.Tests.Weights;

namespace HipVision.Tests.Cli;

/// <summary><c>hipvision preprocess</c> through the real command, against the pixel_values transformers' ViTImageProcessor gave.</summary>
public class PreprocessCommandTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    [Test]
    public void Preprocess_chelseaWithVitPreprocessorConfig_equalsTransformers()
    {
        // Only preprocessor_config.json is read: a folder holding just the ViT one is a valid --model for preprocess.
        var model = Path.Combine(_tmp.Path, "vit");
        Directory.CreateDirectory(model);
        File.Copy(Path.Combine(Fixtures.Model("vit-base-patch16-224"), "preprocessor_config.json"), Path.Combine(model, "preprocessor_config.json"));
        var output = _tmp.File("pixel_values.npy");

        CliAssert.Ok(CliRunner.Run("preprocess", ImagingFixtures.ImageFile("chelsea"), "--model", model, "--output", output));

        var got = NpyFile.Read(output);
        var want = ImagingFixtures.Npy("chelsea", "pixel_values_vit");
        Assert.That(got.Shape, Is.EqualTo(new[] { 1, 3, 224, 224 }));
        Assert.That(got.Shape, Is.EqualTo(want.Shape));
        ImagingFixtures.AssertClose(want.ToFloat32("pixel_values_vit"), got.ToFloat32(output), 1e-6, "chelsea pixel_values from hipvision preprocess");
    }

    [Test]
    public void Preprocess_thenRun_givesWhatClassifyReports()
    {
        var tinyVit = Fixtures.Model("tiny-vit");
        var image = ImagingFixtures.ImageFile("chelsea");
        var pixels = _tmp.File("pixel_values.npy");
        var logits = _tmp.File("logits.npy");

        CliAssert.Ok(CliRunner.Run("preprocess", image, "--model", tinyVit, "--output", pixels));
        Assert.That(NpyFile.Read(pixels).Shape, Is.EqualTo(new[] { 1, 3, 32, 32 }));
        CliAssert.Ok(CliRunner.Run("run", "--model", tinyVit, "--input", pixels, "--output", logits));
        var classify = CliRunner.Run("classify", image, "--model", tinyVit, "--top", "10", "--json");
        CliAssert.Ok(classify);

        var row = NpyFile.ReadFloat32(logits, out _);
        double max = row.Max(), sum = row.Sum(v => Math.Exp(v - max));
        var predictions = ClassifyJson.Parse(classify.Stdout).Single().Predictions;
        Assert.That(predictions, Has.Count.EqualTo(10));
        foreach (var p in predictions)
            Assert.That(p.Probability, Is.EqualTo(Math.Exp(row[p.ClassId] - max) / sum).Within(1e-6), $"class {p.ClassId}");
    }
}
