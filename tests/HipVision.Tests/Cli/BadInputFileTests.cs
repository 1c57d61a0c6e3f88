using HipVision.IO;
using HipVision.Tests.Imaging;
using HipVision.Tests.Weights;

namespace HipVision.Tests.Cli;

/// <summary>
/// Bad images, bad .npy inputs and unwritable outputs through the real command: exit code 1, one stderr line
/// naming the file and what is wrong, and no --output file left behind.
/// </summary>
public class BadInputFileTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    static string TinyVit => Fixtures.Model("tiny-vit");

    static string Chelsea => ImagingFixtures.ImageFile("chelsea");

    string Bytes(string name, byte[] content)
    {
        var path = _tmp.File(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    // ---- images -------------------------------------------------------------------------------------------

    [Test]
    public void Classify_imageMissing_namesIt()
    {
        var image = _tmp.File("absent.png");
        CliAssert.RuntimeError(CliRunner.Run("classify", image, "--model", TinyVit), image, "no such file");
    }

    [Test]
    public void Classify_imageEmpty_namesIt()
    {
        var image = Bytes("empty.png", []);
        CliAssert.RuntimeError(CliRunner.Run("classify", image, "--model", TinyVit), image, "empty file");
    }

    [Test]
    public void Classify_imageTruncated_namesIt()
    {
        var image = Bytes("truncated.png", File.ReadAllBytes(Chelsea)[..1000]);
        CliAssert.RuntimeError(CliRunner.Run("classify", image, "--model", TinyVit), image, "cannot decode image");
    }

    [Test]
    public void Classify_oneBadImageAmongGoodOnes_namesTheBadOne()
    {
        var bad = Bytes("notes.jpg", "not an image at all"u8.ToArray());
        var r = CliRunner.Run("classify", Chelsea, bad, ImagingFixtures.ImageFile("rocket"), "--model", TinyVit, "--json");
        var line = CliAssert.RuntimeError(r, bad, "cannot decode image");
        Assert.That(line, Does.Not.Contain(Chelsea));
    }

    [Test]
    public void Preprocess_imageCorrupt_writesNothing()
    {
        var image = Bytes("corrupt.png", [.. File.ReadAllBytes(Chelsea)[..64], .. new byte[4096]]);
        var output = _tmp.File("pixel_values.npy");
        CliAssert.RuntimeError(CliRunner.Run("preprocess", image, "--model", TinyVit, "--output", output), image);
        CliAssert.NothingWritten(output);
    }

    [Test]
    public void Preprocess_imageMissing_writesNothing()
    {
        var image = _tmp.File("absent.jpg");
        var output = _tmp.File("pixel_values.npy");
        CliAssert.RuntimeError(CliRunner.Run("preprocess", image, "--model", TinyVit, "--output", output), image, "not found");
        CliAssert.NothingWritten(output);
    }

    // ---- .npy inputs of run ---------------------------------------------------------------------------------

    string RunFails(string input, params string[] mentions)
    {
        var output = _tmp.File("logits.npy");
        var line = CliAssert.RuntimeError(CliRunner.Run("run", "--model", TinyVit, "--input", input, "--output", output), [input, .. mentions]);
        CliAssert.NothingWritten(output);
        return line;
    }

    static NpyArray Pixels => NpyFile.Read(Path.Combine(TinyVit, "pixel_values.npy"));

    [Test]
    public void Run_inputMissing_namesIt() => RunFails(_tmp.File("absent.npy"), "not found");

    [Test]
    public void Run_inputFloat64_namesTheDtype()
    {
        var pixels = Pixels;
        var doubles = pixels.ToFloat32("pixel_values").Select(v => (double)v).ToArray();
        var input = _tmp.File("pixel_values_f8.npy");
        BadFiles.WriteNpy(input, "<f8", pixels.Shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(doubles.AsSpan()));
        RunFails(input, "float32", "'<f8'");
    }

    [Test]
    public void Run_inputWrongImageSize_namesBothShapes()
    {
        var input = _tmp.File("pixel_values_16.npy");
        NpyFile.WriteFloat32(input, new float[2 * 3 * 16 * 16], [2, 3, 16, 16]);
        RunFails(input, "expected shape [?,3,32,32]", "found [2,3,16,16]");
    }

    [Test]
    public void Run_inputWithoutBatchDimension_namesBothShapes()
    {
        var input = _tmp.File("pixel_values_chw.npy");
        NpyFile.WriteFloat32(input, new float[3 * 32 * 32], [3, 32, 32]);
        RunFails(input, "expected shape [?,3,32,32]", "found [3,32,32]");
    }

    [Test]
    public void Run_inputWithNoImages_namesIt()
    {
        var input = _tmp.File("pixel_values_empty.npy");
        NpyFile.WriteFloat32(input, [], [0, 3, 32, 32]);
        RunFails(input, "no images");
    }

    [Test]
    public void Run_inputTruncated_namesIt()
    {
        var bytes = File.ReadAllBytes(Path.Combine(TinyVit, "pixel_values.npy"));
        RunFails(Bytes("pixel_values_cut.npy", bytes[..^100]), "bytes of data");
    }

    [Test]
    public void Run_inputNotNpy_namesIt() => RunFails(Chelsea, "not a .npy file");

    // ---- outputs --------------------------------------------------------------------------------------------

    [Test]
    public void Run_outputDirectoryMissing_namesTheOutput()
    {
        var output = Path.Combine(_tmp.Path, "no-such-dir", "logits.npy");
        var r = CliRunner.Run("run", "--model", TinyVit, "--input", Path.Combine(TinyVit, "pixel_values.npy"), "--output", output);
        CliAssert.RuntimeError(r, output + ": cannot write");
        CliAssert.NothingWritten(output);
    }

    [Test]
    public void Preprocess_outputDirectoryMissing_namesTheOutput()
    {
        var output = Path.Combine(_tmp.Path, "no-such-dir", "pixel_values.npy");
        CliAssert.RuntimeError(CliRunner.Run("preprocess", Chelsea, "--model", TinyVit, "--output", output), output + ": cannot write");
        CliAssert.NothingWritten(output);
    }

    [Test]
    public void Run_failure_leavesAnExistingOutputUntouched()
    {
        var output = _tmp.File("logits.npy");
        File.WriteAllText(output, "previous result");
        var r = CliRunner.Run("run", "--model", TinyVit, "--input", Chelsea, "--output", output);
        CliAssert.RuntimeError(r, Chelsea);
        Assert.That(File.ReadAllText(output), Is.EqualTo("previous result"));
        Assert.That(Directory.GetFiles(_tmp.Path), Is.EquivalentTo(new[] { output }));
    }

    // ---- --verbose ------------------------------------------------------------------------------------------

    [Test]
    public void Verbose_runtimeError_addsTheStackTraceAfterTheOneLine()
    {
        var image = Bytes("empty.png", []);
        var r = CliRunner.Run("classify", image, "--model", TinyVit, "--verbose");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.StderrLines, Has.One.EqualTo($"error: {image}: empty file, not an image"), r.ToString());
        Assert.That(r.StderrLines, Has.Some.Contains("HipVision.HipVisionException").And.Some.StartsWith("   at "), "stack trace with --verbose\n" + r);
    }
}
