using System.Text.Json.Nodes;
using HipVision.Tests.Cli;
using HipVision.Tests.Weights;

namespace HipVision.Tests.Conversion;

/// <summary>
/// <c>hipvision convert</c> through the real command, and a converted file as --model of classify, run, preprocess,
/// inspect and bench: the same answers as from the model directory.
/// </summary>
public class ConvertCommandTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    static string TinyBeit => Fixtures.Model("tiny-beit");

    static string Chelsea => Path.Combine(Fixtures.Image("chelsea"), "chelsea.png");

    string Converted(string model = "tiny-beit", string precision = "fp32")
    {
        var output = _tmp.File($"{model}-{precision}.safetensors");
        var r = CliRunner.Run("convert", Fixtures.Model(model), "--output", output, "--precision", precision);
        CliAssert.Ok(r);
        Assert.That(r.Stdout, Is.EqualTo($"{output}: {precision}, {new FileInfo(output).Length / (1024.0 * 1024.0):F1} MiB\n"));
        return output;
    }

    [Test]
    public void Run_convertedFile_logitsFileIdenticalToDirectory()
    {
        var file = Converted();
        var input = Path.Combine(TinyBeit, "pixel_values.npy");
        string fromDir = _tmp.File("dir.npy"), fromFile = _tmp.File("file.npy");
        CliAssert.Ok(CliRunner.Run("run", "--model", TinyBeit, "--input", input, "--output", fromDir));
        CliAssert.Ok(CliRunner.Run("run", "--model", file, "--input", input, "--output", fromFile));
        Assert.That(File.ReadAllBytes(fromFile), Is.EqualTo(File.ReadAllBytes(fromDir)));
    }

    [TestCase("fp32")]
    [TestCase("bf16")]
    public void Classify_convertedFile_sameTopClassesAsDirectory(string precision)
    {
        var file = Converted("tiny-mobilenet_v1", precision);
        var fromDir = CliRunner.Run("classify", Chelsea, "--model", Fixtures.Model("tiny-mobilenet_v1"), "--json", "--top", "3");
        var fromFile = CliRunner.Run("classify", Chelsea, "--model", file, "--json", "--top", "3");
        CliAssert.Ok(fromDir);
        CliAssert.Ok(fromFile);
        var want = ClassifyJson.Parse(fromDir.Stdout).Single().Predictions;
        var got = ClassifyJson.Parse(fromFile.Stdout).Single().Predictions;
        Assert.That(got.Select(p => (p.ClassId, p.Label)), Is.EqualTo(want.Select(p => (p.ClassId, p.Label))));
        if (precision == "fp32") Assert.That(fromFile.Stdout, Is.EqualTo(fromDir.Stdout), "fp32: the very same output");
    }

    [Test]
    public void Preprocess_convertedFile_samePixelValuesAsDirectory()
    {
        var file = Converted();
        string fromDir = _tmp.File("dir.npy"), fromFile = _tmp.File("file.npy");
        CliAssert.Ok(CliRunner.Run("preprocess", Chelsea, "--model", TinyBeit, "--output", fromDir));
        CliAssert.Ok(CliRunner.Run("preprocess", Chelsea, "--model", file, "--output", fromFile));
        Assert.That(File.ReadAllBytes(fromFile), Is.EqualTo(File.ReadAllBytes(fromDir)));
    }

    [Test]
    public void Inspect_convertedFile_sameLayersAndTotalsAsDirectory()
    {
        var file = Converted();
        var fromDir = CliRunner.Run("inspect", "--model", TinyBeit, "--json");
        var fromFile = CliRunner.Run("inspect", "--model", file, "--json");
        CliAssert.Ok(fromDir);
        CliAssert.Ok(fromFile);
        JsonNode want = JsonNode.Parse(fromDir.Stdout)!, got = JsonNode.Parse(fromFile.Stdout)!;
        Assert.That(got["model"]!.GetValue<string>(), Is.EqualTo(file));
        want.AsObject().Remove("model");
        got.AsObject().Remove("model");
        Assert.That(got.ToJsonString(), Is.EqualTo(want.ToJsonString()));
    }

    [Test]
    public void Bench_convertedFile_reportsLoadTime()
    {
        var file = Converted("tiny-efficientnet");
        var r = CliRunner.Run("bench", "--model", file, "--iterations", "1", "--warmup", "0", "--json");
        CliAssert.Ok(r);
        var json = JsonNode.Parse(r.Stdout)!;
        Assert.That(json["model_type"]!.GetValue<string>(), Is.EqualTo("efficientnet"));
        Assert.That(json["load_ms"]!.GetValue<double>(), Is.GreaterThan(0));
        Assert.That(json["load_cpu_ms"]!.GetValue<double>(), Is.GreaterThan(0));
        var text = CliRunner.Run("bench", "--model", file, "--synthetic", "2", "--iterations", "1");
        CliAssert.Ok(text);
        Assert.That(text.Stdout, Does.Contain("model load"));
    }

    [Test]
    public void Convert_outputOntoInput_oneLineErrorAndInputUnchanged()
    {
        var dir = ConvertedModels.CopyOf(TinyBeit, _tmp.File("tiny-beit"));
        var before = ConvertedModels.Hashes(dir);
        var output = Path.Combine(dir, "model.safetensors");
        CliAssert.RuntimeError(CliRunner.Run("convert", dir, "--output", output), output, "is the input model's model.safetensors");
        Assert.That(ConvertedModels.Hashes(dir), Is.EqualTo(before));
    }

    [Test]
    public void Convert_missingModel_oneLineError()
    {
        var model = _tmp.File("no-model");
        var output = _tmp.File("out.safetensors");
        CliAssert.RuntimeError(CliRunner.Run("convert", model, "--output", output), model + ": no such model directory or file");
        CliAssert.NothingWritten(output);
    }

    [Test]
    public void Convert_outputDirectoryMissing_oneLineError()
    {
        var output = Path.Combine(_tmp.Path, "no-such-dir", "out.safetensors");
        CliAssert.RuntimeError(CliRunner.Run("convert", TinyBeit, "--output", output), output + ": cannot write: its directory does not exist");
    }

    [Test]
    public void Classify_huggingFaceWeightsFileAsModel_oneLineErrorPointingToConvert()
    {
        var weights = Path.Combine(TinyBeit, "model.safetensors");
        CliAssert.RuntimeError(CliRunner.Run("classify", Chelsea, "--model", weights), weights, "without HipVision metadata", "hipvision convert");
    }

    [Test]
    public void Convert_unknownPrecision_usageError() =>
        CliAssert.UsageError(CliRunner.Run("convert", TinyBeit, "--output", _tmp.File("x.safetensors"), "--precision", "fp8"), "unknown precision 'fp8'");

    [Test]
    public void Convert_noOutput_usageError() => CliAssert.UsageError(CliRunner.Run("convert", TinyBeit), "--output");

    [Test]
    public void Convert_noModel_usageError() => CliAssert.UsageError(CliRunner.Run("convert", "--output", _tmp.File("x.safetensors")));
}
