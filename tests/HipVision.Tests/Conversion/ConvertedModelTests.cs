using System.Text.Json;
using HipVision.Conversion;
using HipVision.Models;
using HipVision.Tests.Weights;
using HipVision.Weights;

namespace HipVision.Tests.Conversion;

/// <summary>The metadata of a converted file: config, preprocessor config and labels round-trip; bad metadata is refused by name.</summary>
public class ConvertedModelTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    static IEnumerable<string> TinyModels => ConvertedModels.TinyModels;

    [TestCaseSource(nameof(TinyModels))]
    public void Convert_metadata_roundTripsConfigPreprocessorAndLabels(string name)
    {
        var dir = Fixtures.Model(name);
        var file = _tmp.File("model.safetensors");
        ModelConverter.Convert(dir, file, Precision.Fp16);
        using var raw = SafeTensorsFile.Open(file);
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));

        Assert.That(raw.Metadata.Keys, Is.EquivalentTo(new[]
        {
            ConvertedModel.FormatKey, ConvertedModel.ModelTypeKey, ConvertedModel.PrecisionKey,
            ConvertedModel.ConfigKey, ConvertedModel.PreprocessorKey, ConvertedModel.LabelsKey,
        }));
        Assert.That(raw.Metadata[ConvertedModel.FormatKey], Is.EqualTo("1"));
        Assert.That(raw.Metadata[ConvertedModel.ModelTypeKey], Is.EqualTo(config.ModelType));
        Assert.That(raw.Metadata[ConvertedModel.PrecisionKey], Is.EqualTo("fp16"));
        Assert.That(raw.Metadata[ConvertedModel.ConfigKey], Is.EqualTo(File.ReadAllText(Path.Combine(dir, "config.json"))), "config.json verbatim");
        Assert.That(raw.Metadata[ConvertedModel.PreprocessorKey], Is.EqualTo(File.ReadAllText(Path.Combine(dir, "preprocessor_config.json"))), "preprocessor_config.json verbatim");
        Assert.That(JsonSerializer.Deserialize<string[]>(raw.Metadata[ConvertedModel.LabelsKey]), Is.EqualTo(config.Labels), "labels as a JSON array");

        var read = ConvertedModel.Read(raw);
        Assert.That(ConvertedModels.ConfigJson(read.Config), Is.EqualTo(ConvertedModels.ConfigJson(config)), "the same config");
        Assert.That(read.Labels, Is.EqualTo(config.Labels));
        Assert.That(read.Precision, Is.EqualTo(Precision.Fp16));
    }

    [Test]
    public void Convert_directoryWithoutPreprocessorConfig_storesTheFamilyDefault()
    {
        var dir = ConvertedModels.CopyOf(Fixtures.Model("tiny-vit"), _tmp.File("model"));
        File.Delete(Path.Combine(dir, "preprocessor_config.json"));
        var file = _tmp.File("model.safetensors");
        ModelConverter.Convert(dir, file, Precision.Fp32);
        using var raw = SafeTensorsFile.Open(file);
        Assert.That(ConvertedModel.Read(raw).PreprocessorJson, Is.EqualTo(ModelConfig.Load(Path.Combine(dir, "config.json")).DefaultPreprocessorJson));
    }

    [Test]
    public void Convert_nonAsciiLabels_roundTrip()
    {
        var dir = ConvertedModels.CopyOf(Fixtures.Model("tiny-vit"), _tmp.File("model"));
        var configPath = Path.Combine(dir, "config.json");
        var text = File.ReadAllText(configPath).Replace("\"LABEL_3\"", "\"chat \\u00e9\\u00e8 \\\"quoted\\\" \\ud83d\\udc31\"");
        File.WriteAllText(configPath, text);
        var file = _tmp.File("model.safetensors");
        ModelConverter.Convert(dir, file, Precision.Fp32);
        using var model = VisionModel.Load(file);
        Assert.That(model.Labels[3], Is.EqualTo("chat éè \"quoted\" 🐱"));
        Assert.That(model.Labels, Is.EqualTo(ModelConfig.Load(configPath).Labels));
    }

    [Test]
    public void Open_huggingFaceSafetensorsFile_saysItIsNotAConvertedFile()
    {
        var path = Path.Combine(Fixtures.Model("tiny-vit"), "model.safetensors");
        var e = Assert.Throws<HipVisionException>(() => ModelFiles.Open(path).Dispose());
        Assert.That(e!.Message, Does.StartWith(path + ": a safetensors file without HipVision metadata"));
    }

    [Test]
    public void Open_notSafetensors_saysWhatItExpected()
    {
        var path = Path.Combine(Fixtures.Image("chelsea"), "chelsea.png");
        var e = Assert.Throws<HipVisionException>(() => ModelFiles.Open(path).Dispose());
        Assert.That(e!.Message, Does.StartWith(path + ": neither a model directory nor a file written by 'hipvision convert'"));
    }

    [TestCase(ConvertedModel.FormatKey, "2", "format version '2'")]
    [TestCase(ConvertedModel.PrecisionKey, "fp8", "'hipvision.precision' is 'fp8'")]
    [TestCase(ConvertedModel.ModelTypeKey, "beit", "'hipvision.model_type' is 'beit' but its config is 'vit'")]
    [TestCase(ConvertedModel.LabelsKey, "[\"a\"]", "disagrees with the config's id2label")]
    [TestCase(ConvertedModel.LabelsKey, "{}", "not a JSON array of strings")]
    [TestCase(ConvertedModel.ConfigKey, null, "metadata 'hipvision.config' missing")]
    [TestCase(ConvertedModel.PreprocessorKey, "{", "hipvision.preprocessor_config")]
    public void Open_badMetadata_namesTheFileAndTheKey(string key, string? value, string message)
    {
        var dir = Fixtures.Model("tiny-vit");
        var metadata = ConvertedModel.Metadata(ModelConfig.Load(Path.Combine(dir, "config.json")), File.ReadAllText(Path.Combine(dir, "config.json")),
            File.ReadAllText(Path.Combine(dir, "preprocessor_config.json")), Precision.Fp32);
        if (value is null) metadata.Remove(key);
        else metadata[key] = value;
        var writer = new SafeTensorsWriter().Add("classifier.bias", new float[10], [10]);
        writer.Metadata.Clear();
        foreach (var (k, v) in metadata) writer.Metadata[k] = v;
        var path = _tmp.File("bad.safetensors");
        writer.Write(path);

        var e = Assert.Throws<HipVisionException>(() => ModelFiles.Open(path).Dispose());
        Assert.That(e!.Message, Does.StartWith(path).And.Contain(message));
        TestContext.Out.WriteLine(e.Message);
    }

    [Test]
    public void Load_convertedFileMissingATensor_namesTheTensor()
    {
        var dir = Fixtures.Model("tiny-vit");
        var metadata = ConvertedModel.Metadata(ModelConfig.Load(Path.Combine(dir, "config.json")), File.ReadAllText(Path.Combine(dir, "config.json")),
            File.ReadAllText(Path.Combine(dir, "preprocessor_config.json")), Precision.Fp32);
        var writer = new SafeTensorsWriter().Add("classifier.bias", new float[10], [10]);
        writer.Metadata.Clear();
        foreach (var (k, v) in metadata) writer.Metadata[k] = v;
        var path = _tmp.File("partial.safetensors");
        writer.Write(path);
        var e = Assert.Throws<HipVisionException>(() => VisionModel.Load(path).Dispose());
        Assert.That(e!.Message, Does.StartWith(path + ": tensor '").And.EndWith("' missing"));
    }
}
