using System.Buffers.Binary;
using System.Text.Json.Nodes;
using HipVision.Tests.Imaging;
using HipVision.Tests.Weights;

namespace HipVision.Tests.Cli;

/// <summary>
/// Hostile inputs through the real command: a refused one is exit 1 with one stderr line naming the file; a
/// non-finite weight is a warning line naming the tensor, and the command still succeeds.
/// </summary>
public class HostileInputCliTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    static string TinyVit => Fixtures.Model("tiny-vit");

    [Test]
    public void Classify_decompressionBomb_refusedWithOneLine()
    {
        var image = _tmp.File("bomb.png");
        File.WriteAllBytes(image, ImageBombTests.ZeroPng(12_000, 9_000));
        CliAssert.RuntimeError(CliRunner.Run("classify", image, "--model", TinyVit), image, "12000x9000", "100000000-pixel limit");
    }

    [Test]
    public void Run_npyShapeOfTerabytes_refusedWithOneLine()
    {
        var input = _tmp.File("pixel_values.npy");
        File.WriteAllBytes(input, HipVision.Tests.IO.NpyHostileTests.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 3, 32, 32), }"));
        var output = _tmp.File("logits.npy");
        CliAssert.RuntimeError(CliRunner.Run("run", "--model", TinyVit, "--input", input, "--output", output), input, "more than the 2147483591-byte limit");
        CliAssert.NothingWritten(output);
    }

    [Test]
    public void Inspect_configWithNegativeNumLabels_refusedWithOneLine()
    {
        var model = BadFiles.CopyModel(TinyVit, Path.Combine(_tmp.Path, "m"));
        var config = Path.Combine(model, "config.json");
        BadFiles.EditJson(config, root => { root.Remove("id2label"); root.Remove("label2id"); root["num_labels"] = -1; });
        CliAssert.RuntimeError(CliRunner.Run("inspect", "--model", model), config, "num_labels -1 is not in 0..1000000");
    }

    [Test]
    public void Run_nanInAWeight_warnsNamingTheTensorAndSucceeds()
    {
        var model = BadFiles.CopyModel(TinyVit, Path.Combine(_tmp.Path, "nan"));
        var weights = Path.Combine(model, "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(bytes.AsSpan(8, headerLength))!.AsObject();
        var (begin, _) = BadFiles.Offsets(header, "classifier.bias");
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 + headerLength + (int)begin + 4), float.NaN);
        File.WriteAllBytes(weights, bytes);

        var output = _tmp.File("logits.npy");
        var r = CliRunner.Run("run", "--model", model, "--input", Path.Combine(TinyVit, "pixel_values.npy"), "--output", output);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.StderrLines, Is.EqualTo(new[]
        {
            $"warning: {weights}: tensor 'classifier.bias' has 1 non-finite value of 10 (first at element 1: NaN); outputs that depend on it will be NaN or Inf",
        }), r.ToString());
        Assert.That(File.Exists(output), Is.True);
    }
}

/// <summary>Inputs that are pipes rather than files (bash's <c>&lt;(...)</c>): read within the same limits, or refused with one line.</summary>
public class PipeInputTests
{
    [Test]
    public void ImageLoader_fromAFifo_readsLikeAFile()
    {
        using var tmp = new TempDir();
        var fifo = tmp.File("image.fifo");
        if (System.Diagnostics.Process.Start("mkfifo", fifo) is not { } mk || !mk.WaitForExit(5000) || mk.ExitCode != 0)
            Assert.Ignore("mkfifo unavailable");
        var png = TestImageFiles.Png(2, 1, 2, [1, 2, 3, 4, 5, 6]);
        var writer = Task.Run(() => File.WriteAllBytes(fifo, png));
        var image = HipVision.Imaging.ImageLoader.Load(fifo);
        writer.Wait();
        Assert.That(image.Pixels, Is.EqualTo(new byte[] { 1, 2, 3, 4, 5, 6 }));
    }

    [Test]
    public void PyTorchCheckpoint_fromAFifo_typedError()
    {
        using var tmp = new TempDir();
        var fifo = tmp.File("pytorch_model.bin");
        if (System.Diagnostics.Process.Start("mkfifo", fifo) is not { } mk || !mk.WaitForExit(5000) || mk.ExitCode != 0)
            Assert.Ignore("mkfifo unavailable");
        var writer = Task.Run(() => { try { File.WriteAllBytes(fifo, [(byte)'P', (byte)'K', 3, 4, .. new byte[64]]); } catch (IOException) { } });
        var e = Assert.Throws<HipVisionException>(() => HipVision.Weights.PyTorchCheckpoint.Open(fifo).Dispose());
        Assert.That(e!.Message, Does.StartWith(fifo + ": cannot read"));
        writer.Wait(5000);
    }
}
