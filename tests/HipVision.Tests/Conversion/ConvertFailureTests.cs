using HipVision.Conversion;
using HipVision.Models;
using HipVision.Tests.Cli;
using HipVision.Tests.Weights;
using HipVision.Weights;

namespace HipVision.Tests.Conversion;

/// <summary>
/// A conversion that fails leaves no output and no temporary file, leaves a file already at the output as it was,
/// and never changes the input; writing onto the input or into a place that cannot be written is refused by name.
/// </summary>
public class ConvertFailureTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    static string TinyVit => Fixtures.Model("tiny-vit");

    [TestCase(0)]
    [TestCase(5)]
    [TestCase(30)]
    public void Convert_sourceFailsAfterNTensors_leavesNoOutputNoTemporary(int n)
    {
        var output = _tmp.File("model.safetensors");
        using var files = ModelFiles.Open(TinyVit);
        using var failing = new FailingWeights(files.Weights, n);
        var e = Assert.Throws<IOException>(() =>
            ModelConverter.Convert(files.Config, files.ConfigJson, files.PreprocessorJson, failing, output, Precision.Fp32));
        Assert.That(e!.Message, Does.Contain($"after {n} tensors"));
        CliAssert.NothingWritten(output);
    }

    /// <summary>
    /// A failure in the middle of writing: one tensor that does not fit fp16. The writer orders tensors by name, so the
    /// culprit (vit.layernorm.bias) comes second to last, after nearly all the data went into the temporary file.
    /// </summary>
    [Test]
    public void Convert_valueBeyondFp16MidwayThroughTheFile_refusedAndLeavesTheOldOutputAsItWas()
    {
        var output = _tmp.File("model.safetensors");
        File.WriteAllText(output, "an earlier file");
        using var files = ModelFiles.Open(TinyVit);
        using var huge = new ScaledWeights(files.Weights, "vit.layernorm.bias", 1e8f);
        var e = Assert.Throws<HipVisionException>(() =>
            ModelConverter.Convert(files.Config, files.ConfigJson, files.PreprocessorJson, huge, output, Precision.Fp16));
        Assert.That(e!.Message, Does.Contain("tensor 'vit.layernorm.bias' holds").And.Contain("beyond the range of F16").And.Contain("--precision"));
        Assert.That(File.ReadAllText(output), Is.EqualTo("an earlier file"), "the file already there is untouched");
        Assert.That(Directory.GetFiles(_tmp.Path, "model.safetensors.tmp*"), Is.Empty, "no temporary left");

        // bf16 has fp32's range: the same weights convert.
        ModelConverter.Convert(files.Config, files.ConfigJson, files.PreprocessorJson, huge, output, Precision.Bf16);
        using var converted = ModelFiles.Open(output);
        Assert.That(converted.Weights.Get("vit.layernorm.bias", [64]).Max(Math.Abs), Is.GreaterThan(65504));
    }

    [TestCase("model.safetensors")]
    [TestCase("config.json")]
    [TestCase("preprocessor_config.json")]
    [TestCase("pytorch_model.bin")]
    public void Convert_outputIsAFileOfTheInputDirectory_refusedAndInputUnchanged(string target)
    {
        var dir = ConvertedModels.CopyOf(TinyVit, _tmp.File("tiny-vit"));
        var before = ConvertedModels.Hashes(dir);
        var output = Path.Combine(dir, target);
        var e = Assert.Throws<HipVisionException>(() => ModelConverter.Convert(dir, output, Precision.Fp32));
        Assert.That(e!.Message, Does.StartWith(output + ": is the input model's " + target));
        Assert.That(ConvertedModels.Hashes(dir), Is.EqualTo(before));
    }

    [Test]
    public void Convert_outputIsTheInputFile_refusedEvenThroughALinkAndInputUnchanged()
    {
        var file = _tmp.File("model.safetensors");
        ModelConverter.Convert(TinyVit, file, Precision.Fp32);
        var before = ConvertedModels.Hashes(file);
        var e = Assert.Throws<HipVisionException>(() => ModelConverter.Convert(file, file, Precision.Fp16));
        Assert.That(e!.Message, Does.StartWith(file + ": is the input model's file"));

        var link = _tmp.File("link.safetensors");
        File.CreateSymbolicLink(link, file);
        Assert.Throws<HipVisionException>(() => ModelConverter.Convert(link, file, Precision.Fp16));
        Assert.Throws<HipVisionException>(() => ModelConverter.Convert(file, link, Precision.Fp16));
        Assert.That(ConvertedModels.Hashes(file), Is.EqualTo(before));
    }

    [Test]
    public void Convert_success_leavesTheInputDirectoryUnchanged()
    {
        var before = ConvertedModels.Hashes(TinyVit);
        ModelConverter.Convert(TinyVit, _tmp.File("model.safetensors"), Precision.Bf16);
        Assert.That(ConvertedModels.Hashes(TinyVit), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(_tmp.Path), Is.EqualTo(new[] { _tmp.File("model.safetensors") }), "the output and nothing else");
    }

    [Test]
    public void Convert_outputDirectoryMissing_saysSo()
    {
        var output = Path.Combine(_tmp.Path, "no-such-dir", "model.safetensors");
        var e = Assert.Throws<HipVisionException>(() => ModelConverter.Convert(TinyVit, output, Precision.Fp32));
        Assert.That(e!.Message, Is.EqualTo(output + ": cannot write: its directory does not exist"));
        CliAssert.NothingWritten(output);
    }

    [Test]
    public void Convert_outputIsADirectory_saysSo()
    {
        var e = Assert.Throws<HipVisionException>(() => ModelConverter.Convert(TinyVit, _tmp.Path, Precision.Fp32));
        Assert.That(e!.Message, Does.StartWith(_tmp.Path + ": is a directory"));
    }

    /// <summary>A directory without write permission; as root (which ignores permissions) /sys, which root cannot create files in either.</summary>
    [Test]
    public void Convert_outputDirectoryNotWritable_permissionDenied()
    {
        string dir;
        if (Environment.IsPrivilegedProcess)
        {
            if (!Directory.Exists("/sys/kernel")) Assert.Ignore("running as root without /sys: no directory root cannot write");
            dir = "/sys/kernel";
        }
        else
        {
            dir = _tmp.File("read-only");
            Directory.CreateDirectory(dir);
            if (OperatingSystem.IsWindows()) Assert.Ignore("no Unix file modes on Windows");
            else File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
        var output = Path.Combine(dir, "model.safetensors");
        var e = Assert.Throws<HipVisionException>(() => ModelConverter.Convert(TinyVit, output, Precision.Fp32));
        Assert.That(e!.Message, Is.EqualTo(output + ": cannot write: permission denied"));
        CliAssert.NothingWritten(output);
    }

    [Test]
    public void Convert_missingModel_saysSo()
    {
        var model = _tmp.File("nothing-here");
        var e = Assert.Throws<HipVisionException>(() => ModelConverter.Convert(model, _tmp.File("out.safetensors"), Precision.Fp32));
        Assert.That(e!.Message, Is.EqualTo(model + ": no such model directory or file"));
    }

    /// <summary>Serves <paramref name="n"/> tensors, then fails as a disk read would.</summary>
    sealed class FailingWeights(IWeightSource inner, int n) : IWeightSource
    {
        int _served;
        public string SourceName => inner.SourceName;
        public IEnumerable<string> Names => inner.Names;
        public bool Contains(string name) => inner.Contains(name);
        public float[] Get(string name, int[] expectedShape) =>
            _served++ < n ? inner.Get(name, expectedShape) : throw new IOException($"injected read failure after {n} tensors");
        public void Dispose() { }
    }

    /// <summary>One tensor multiplied by a factor, the rest as they are.</summary>
    sealed class ScaledWeights(IWeightSource inner, string scaled, float factor) : IWeightSource
    {
        public string SourceName => inner.SourceName;
        public IEnumerable<string> Names => inner.Names;
        public bool Contains(string name) => inner.Contains(name);
        public float[] Get(string name, int[] expectedShape)
        {
            var data = inner.Get(name, expectedShape);
            return name == scaled ? data.Select(v => v * factor).ToArray() : data;
        }
        public void Dispose() { }
    }
}
