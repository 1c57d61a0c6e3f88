using HipVision.Weights;

namespace HipVision.Tests.Weights;

/// <summary>Damaged or foreign files handed to <see cref="PyTorchCheckpoint.Open"/>: one line naming the file (and tensor).</summary>
public class PyTorchBadInputTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    static string OpenFails(string path)
    {
        var e = Assert.Throws<HipVisionException>(() => PyTorchCheckpoint.Open(path).Dispose());
        var message = e!.Message;
        TestContext.Out.WriteLine(message);
        Assert.That(message, Does.StartWith(path + ":"), "names the file first");
        Assert.That(message, Does.Not.Contain('\n'), "one line");
        return message;
    }

    static byte[] OneTensor(int[] shape, long numel, long offset = 0) =>
        new TorchPickle().Proto().EmptyDict().Mark()
            .Str("w").Tensor("FloatStorage", "0", numel, offset, shape, TorchPickle.ContiguousStride(shape))
            .SetItems().Stop().ToArray();

    [Test]
    public void Open_missingFile_namesTheFile() =>
        Assert.That(OpenFails(_tmp.File("absent.bin")), Does.EndWith("file not found"));

    [Test]
    public void Open_legacyPickleFormat_saysResaveWithNewTorch()
    {
        var path = _tmp.File("pytorch_model.bin");
        // What torch < 1.6 (or _use_new_zipfile_serialization=False) writes first: PROTO 2, LONG1 magic number.
        File.WriteAllBytes(path, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
        Assert.That(OpenFails(path), Is.EqualTo(
            $"{path}: legacy (pre-1.6) PyTorch format is unsupported, re-save with torch>=1.6 (torch.save(..., _use_new_zipfile_serialization=True))"));
    }

    [Test]
    public void Open_notAZip_saysSo()
    {
        var path = _tmp.File("model.bin");
        File.WriteAllText(path, "hello, not a checkpoint");
        Assert.That(OpenFails(path), Does.Contain("not a PyTorch checkpoint"));
    }

    [Test]
    public void Open_truncatedZip_saysTruncated()
    {
        var whole = File.ReadAllBytes(Path.Combine(Fixtures.Model("tiny-vit"), PyTorchCheckpoint.FileName));
        var path = _tmp.File("cut.bin");
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);
        Assert.That(OpenFails(path), Does.Contain("truncated or damaged zip archive"));
    }

    [Test]
    public void Open_zipWithoutDataPkl_saysNotATorchCheckpoint()
    {
        var path = _tmp.File("other.zip");
        using (var zip = new System.IO.Compression.ZipArchive(File.Create(path), System.IO.Compression.ZipArchiveMode.Create))
            zip.CreateEntry("readme.txt");
        Assert.That(OpenFails(path), Does.Contain("no <archive>/data.pkl record"));
    }

    [Test]
    public void Open_missingStorageRecord_namesTensorAndRecord()
    {
        var path = TorchPickle.WriteCheckpoint(_tmp.File("m.bin"), OneTensor([2, 2], 4));
        Assert.That(OpenFails(path), Is.EqualTo($"{path}: tensor 'w': storage record 'archive/data/0' missing"));
    }

    [Test]
    public void Open_storageRecordShorterThanDeclared_namesTensorAndSizes()
    {
        var path = TorchPickle.WriteCheckpoint(_tmp.File("s.bin"), OneTensor([2, 2], 4),
            new Dictionary<string, byte[]> { ["0"] = TorchPickle.Floats(1, 2, 3) });
        Assert.That(OpenFails(path), Does.StartWith($"{path}: tensor 'w': storage record 'archive/data/0' holds 12 bytes, the pickle declares 4 F32 elements"));
    }

    [Test]
    public void Open_storageShorterThanTheTensor_namesTensorAndExtent()
    {
        var path = TorchPickle.WriteCheckpoint(_tmp.File("v.bin"), OneTensor([2, 3], 4),
            new Dictionary<string, byte[]> { ["0"] = TorchPickle.Floats(1, 2, 3, 4) });
        Assert.That(OpenFails(path), Is.EqualTo(
            $"{path}: tensor 'w': shape [2, 3] with stride (3, 1) from offset 0 needs storage elements up to 6, storage 'archive/data/0' holds 4"));
    }

    [Test]
    public void Open_offsetPushesTensorPastStorage_namesTensor()
    {
        var path = TorchPickle.WriteCheckpoint(_tmp.File("o.bin"), OneTensor([4], 4, offset: 1),
            new Dictionary<string, byte[]> { ["0"] = TorchPickle.Floats(1, 2, 3, 4) });
        Assert.That(OpenFails(path), Does.Contain("tensor 'w'").And.Contain("needs storage elements up to 5"));
    }

    [Test]
    public void Open_hugeStride_doesNotOverflow()
    {
        var pickle = new TorchPickle().Proto().EmptyDict().Mark()
            .Str("w").Tensor("FloatStorage", "0", 4, 0, [3, 2], [long.MaxValue / 2, 1]).SetItems().Stop().ToArray();
        var path = TorchPickle.WriteCheckpoint(_tmp.File("h.bin"), pickle, new Dictionary<string, byte[]> { ["0"] = TorchPickle.Floats(1, 2, 3, 4) });
        Assert.That(OpenFails(path), Does.Contain("tensor 'w'").And.Contain("needs storage elements"));
    }

    [Test]
    public void Open_nestedTrainingCheckpoint_saysEntryIsNotATensor()
    {
        var pickle = new TorchPickle().Proto().EmptyDict().Str("state_dict").EmptyDict().SetItem().Stop().ToArray();
        var path = TorchPickle.WriteCheckpoint(_tmp.File("train.bin"), pickle);
        Assert.That(OpenFails(path), Is.EqualTo($"{path}: entry 'state_dict' is a dict, not a tensor (a training checkpoint rather than a state_dict?)"));
    }

    [Test]
    public void Open_truncatedPickle_namesTheRecord()
    {
        var pickle = OneTensor([2], 2);
        var path = TorchPickle.WriteCheckpoint(_tmp.File("p.bin"), pickle[..(pickle.Length / 2)]);
        Assert.That(OpenFails(path), Does.StartWith($"{path}: archive/data.pkl byte "));
    }
}
