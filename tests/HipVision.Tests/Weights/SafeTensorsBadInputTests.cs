using HipVision.Weights;

namespace HipVision.Tests.Weights;

/// <summary>Malformed safetensors files: each fails in Open with one line naming the file and, where there is one, the tensor.</summary>
public class SafeTensorsBadInputTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    static string OpenFails(string path)
    {
        var e = Assert.Throws<HipVisionException>(() => SafeTensorsFile.Open(path).Dispose());
        var message = e!.Message;
        TestContext.Out.WriteLine(message);
        Assert.That(message, Does.StartWith(path + ":"), "names the file first");
        Assert.That(message, Does.Not.Contain('\n'), "one line");
        return message;
    }

    [Test]
    public void Open_missingFile_namesTheFile() =>
        Assert.That(OpenFails(_tmp.File("absent.safetensors")), Does.Contain("file not found"));

    [Test]
    public void Open_emptyFile_namesTheFile()
    {
        var path = _tmp.File("empty.safetensors");
        File.WriteAllBytes(path, []);
        Assert.That(OpenFails(path), Does.Contain("too short"));
    }

    [Test]
    public void Open_shorterThanTheLengthField_namesTheFile()
    {
        var path = _tmp.File("five.safetensors");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);
        Assert.That(OpenFails(path), Does.Contain("5 bytes"));
    }

    [Test]
    public void Open_truncatedData_namesTheTensor()
    {
        var whole = _tmp.File("whole.safetensors");
        new SafeTensorsWriter().Add("a", new float[4], [4]).Add("b", new float[4], [2, 2]).Write(whole);
        var bytes = File.ReadAllBytes(whole);
        var path = _tmp.File("truncated.safetensors");
        File.WriteAllBytes(path, bytes[..^3]);
        Assert.That(OpenFails(path), Does.Contain("tensor 'b'").And.Contain("run past the end of the data"));
    }

    [Test]
    public void Open_truncatedInsideHeader_namesTheFile()
    {
        var whole = _tmp.File("whole.safetensors");
        new SafeTensorsWriter().Add("a", new float[4], [4]).Write(whole);
        var path = _tmp.File("truncated.safetensors");
        File.WriteAllBytes(path, File.ReadAllBytes(whole)[..20]);
        Assert.That(OpenFails(path), Does.Contain("runs past the end of the file"));
    }

    [Test]
    public void Open_headerLengthBeyondFile_namesTheFile()
    {
        var path = _tmp.Raw("long.safetensors", "{}", 0, declaredLength: 1000);
        Assert.That(OpenFails(path), Does.Contain("header length 1000 runs past the end of the file (10 bytes)"));
    }

    [Test]
    public void Open_headerLengthHuge_namesTheFile()
    {
        var path = _tmp.Raw("huge.safetensors", "{}", 0, declaredLength: ulong.MaxValue);
        Assert.That(OpenFails(path), Does.Contain("runs past the end of the file"));
    }

    [Test]
    public void Open_headerNotJson_namesTheFile() =>
        Assert.That(OpenFails(_tmp.Raw("bad.safetensors", "{\"a\": nope}   ", 0)), Does.Contain("not valid JSON"));

    [Test]
    public void Open_headerNotUtf8_namesTheFile()
    {
        var path = _tmp.Raw("latin1.safetensors", "{\"a\":1}", 0);
        var bytes = File.ReadAllBytes(path);
        bytes[10] = 0xFF;
        File.WriteAllBytes(path, bytes);
        Assert.That(OpenFails(path), Does.Contain("not valid UTF-8"));
    }

    [Test]
    public void Open_headerIsAnArray_namesTheFile() =>
        Assert.That(OpenFails(_tmp.Raw("array.safetensors", "[1, 2]", 0)), Does.Contain("expected an object"));

    [Test]
    public void Open_unknownDtype_namesTheTensor()
    {
        var path = _tmp.Raw("dtype.safetensors", """{"w":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}""", 4);
        Assert.That(OpenFails(path), Does.Contain("tensor 'w'").And.Contain("unsupported dtype 'F8_E4M3'"));
    }

    [Test]
    public void Open_shapeTimesDtypeSizeNotByteLength_namesTheTensor()
    {
        var path = _tmp.Raw("size.safetensors", """{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}""", 20);
        Assert.That(OpenFails(path), Does.Contain("tensor 'w'").And.Contain("needs 24 bytes, data_offsets [0, 20] hold 20"));
    }

    [Test]
    public void Open_negativeDimension_namesTheTensor()
    {
        var path = _tmp.Raw("neg.safetensors", """{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4);
        Assert.That(OpenFails(path), Does.Contain("tensor 'w'").And.Contain("non-negative"));
    }

    [Test]
    public void Open_offsetsOutOfRange_namesTheTensor()
    {
        var path = _tmp.Raw("range.safetensors", """{"w":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}""", 16);
        Assert.That(OpenFails(path), Does.Contain("tensor 'w'").And.Contain("data_offsets [8, 24] run past the end of the data (16 bytes)"));
    }

    [Test]
    public void Open_offsetsReversed_namesTheTensor()
    {
        var path = _tmp.Raw("reversed.safetensors", """{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}""", 16);
        Assert.That(OpenFails(path), Does.Contain("tensor 'w'").And.Contain("begin is after end"));
    }

    [Test]
    public void Open_overlappingOffsets_namesBothTensors()
    {
        var path = _tmp.Raw("overlap.safetensors",
            """{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"y":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}""", 24);
        Assert.That(OpenFails(path), Does.Contain("tensor 'y': data_offsets [8, 24] overlap tensor 'x' [0, 16]"));
    }

    [Test]
    public void Open_emptyTensorInsideAnother_isNotAnOverlap()
    {
        var path = _tmp.Raw("emptyinside.safetensors",
            """{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"e":{"dtype":"F32","shape":[0],"data_offsets":[8,8]}}""", 16);
        using var file = SafeTensorsFile.Open(path);
        Assert.That(file.ReadFloat32("e"), Is.Empty);
    }

    [Test]
    public void Open_duplicateTensorName_namesTheTensor()
    {
        var path = _tmp.Raw("dup.safetensors",
            """{"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"x":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}""", 2);
        Assert.That(OpenFails(path), Does.Contain("'x' twice"));
    }

    [Test]
    public void Open_metadataValueNotString_namesTheFile()
    {
        var path = _tmp.Raw("meta.safetensors", """{"__metadata__":{"format":3}}""", 0);
        Assert.That(OpenFails(path), Does.Contain("__metadata__ entry 'format'"));
    }

    [Test]
    public void Open_missingField_namesTheTensor()
    {
        var path = _tmp.Raw("field.safetensors", """{"w":{"dtype":"F32","shape":[1]}}""", 4);
        Assert.That(OpenFails(path), Does.Contain("tensor 'w'").And.Contain("data_offsets"));
    }

    [Test]
    public void Info_missingTensor_namesFileAndTensor()
    {
        var path = _tmp.File("one.safetensors");
        new SafeTensorsWriter().Add("a", [1f], [1]).Write(path);
        using var file = SafeTensorsFile.Open(path);
        var e = Assert.Throws<HipVisionException>(() => file.Info("b"));
        Assert.That(e!.Message, Is.EqualTo($"{path}: tensor 'b' missing"));
    }

    [Test]
    public void ReadFloat32_integerTensor_namesFileAndTensor()
    {
        var path = _tmp.File("int.safetensors");
        new SafeTensorsWriter().Add("n", SafeTensorDtype.I64, [], new byte[8]).Write(path);
        using var file = SafeTensorsFile.Open(path);
        var e = Assert.Throws<HipVisionException>(() => file.ReadFloat32("n"));
        Assert.That(e!.Message, Does.StartWith($"{path}: tensor 'n' has dtype I64"));
    }
}

/// <summary>Safetensors headers that abuse sizes: refused from the header, before any data is touched.</summary>
public class SafeTensorsResourceAbuseTests
{
    [Test]
    public void Open_rankAbove64_refused()
    {
        using var tmp = new TempDir();
        var shape = string.Join(",", Enumerable.Repeat("1", 65));
        var path = tmp.Raw("rank.safetensors", $$$"""{"w":{"dtype":"U8","shape":[{{{shape}}}],"data_offsets":[0,1]}}""", 1);
        var e = Assert.Throws<HipVisionException>(() => SafeTensorsFile.Open(path).Dispose());
        Assert.That(e!.Message, Is.EqualTo($"{path}: tensor 'w': shape has 65 dimensions, more than 64"));
    }

    [Test]
    public void Open_shapeOfExabytesOverEmptyData_refusedWithoutOverflow()
    {
        using var tmp = new TempDir();
        var path = tmp.Raw("exa.safetensors", """{"w":{"dtype":"F64","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,0]}}""", 0);
        var e = Assert.Throws<HipVisionException>(() => SafeTensorsFile.Open(path).Dispose());
        Assert.That(e!.Message, Does.Contain("tensor 'w'").And.Contain("data_offsets [0, 0] hold 0"));
    }

    [Test]
    public void Open_tensorNameWithNewline_messageStaysOneLine()
    {
        using var tmp = new TempDir();
        var path = tmp.Raw("nl.safetensors", """{"w\nINFO ok":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", 4);
        var e = Assert.Throws<HipVisionException>(() => SafeTensorsFile.Open(path).Dispose());
        Assert.That(e!.Message, Does.Contain(@"tensor 'w\x0aINFO ok'").And.Not.Contain('\n'));
    }

    [Test]
    public void Open_deeplyNestedHeader_typedError()
    {
        using var tmp = new TempDir();
        var path = tmp.Raw("deep.safetensors", """{"__metadata__":""" + new string('[', 10_000) + new string(']', 10_000) + "}", 0);
        var e = Assert.Throws<HipVisionException>(() => SafeTensorsFile.Open(path).Dispose());
        Assert.That(e!.Message, Does.StartWith(path + ": header is not valid JSON").And.Contain("depth"));
    }
}
