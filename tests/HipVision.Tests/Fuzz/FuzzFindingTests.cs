using System.Text;
using HipVision.Imaging;
using HipVision.Models;
using HipVision.Tests.Weights;
using HipVision.Weights;

namespace HipVision.Tests.Fuzz;

/// <summary>
/// What the reader fuzzers found, each rebuilt by hand as a named regression: before its fix each escaped as an
/// exception other than <see cref="HipVisionException"/>.
/// </summary>
public class FuzzFindingTests
{
    static void Typed(Action read, string source, string expected)
    {
        var e = Assert.Throws<HipVisionException>(() => read());
        TestContext.Out.WriteLine(e!.Message);
        Assert.That(e.Message, Does.StartWith(source + ": ").And.Contain(expected).And.Not.Contain('\n'));
    }

    // Found by the preprocessor fuzzer (an inserted "\ud800"): valid JSON, but JsonElement.GetString threw InvalidOperationException.
    [Test]
    public void PreprocessorJson_loneSurrogateEscape_typed() =>
        Typed(() => PreprocessorConfig.Parse("""{"image_processor_type": "ViT\ud800ImageProcessor"}""", "p.json"), "p.json", "a string cannot be read");

    [Test]
    public void ConfigJson_loneSurrogateEscape_typed() =>
        Typed(() => ModelConfig.Parse("""{"model_type": "\udc00"}""", "c.json"), "c.json", "a string cannot be read");

    [Test]
    public void SafeTensorsHeader_loneSurrogateInTensorName_typed()
    {
        using var tmp = new TempDir();
        var path = tmp.Raw("s.safetensors", """{"w\ud800":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}""", 1);
        Typed(() => SafeTensorsFile.Open(path).Dispose(), path, "a string cannot be read");
    }

    // Found by the index fuzzer (a bit flip inside a key): invalid UTF-8 reached GetString, which threw InvalidOperationException.
    [Test]
    public void ShardIndex_invalidUtf8InKey_typed()
    {
        using var tmp = new TempDir();
        var index = tmp.File("model.safetensors.index.json");
        File.WriteAllBytes(index, [.. "{\"weight_map\": {\"a"u8, 0xC3, 0x28, .. "\": \"s1.safetensors\"}}"u8]);
        Typed(() => WeightFiles.Open(index).Dispose(), index, "not valid UTF-8");
    }

    [Test]
    public void ShardIndex_loneSurrogateEscape_typed()
    {
        using var tmp = new TempDir();
        var index = tmp.File("model.safetensors.index.json");
        File.WriteAllText(index, """{"weight_map": {"a": "s\udfff.safetensors"}}""");
        Typed(() => WeightFiles.Open(index).Dispose(), index, "a string cannot be read");
    }

    // Found by the zip fuzzer (two edits to the end-of-central-directory record): ZipArchive checks the entry count
    // only when the entries are first listed, after its constructor, so the InvalidDataException escaped.
    [Test]
    public void PyTorchZip_entryCountDisagreesWithCentralDirectory_typed()
    {
        using var tmp = new TempDir();
        var path = TorchPickle.WriteCheckpoint(tmp.File("pytorch_model.bin"), new TorchPickle().Proto().EmptyDict().Stop().ToArray());
        var bytes = File.ReadAllBytes(path);
        int eocd = bytes.AsSpan().LastIndexOf((ReadOnlySpan<byte>)[0x50, 0x4b, 0x05, 0x06]);
        bytes[eocd + 8] += 5;  // entries on this disk
        bytes[eocd + 10] += 5; // entries in total
        File.WriteAllBytes(path, bytes);
        Typed(() => PyTorchCheckpoint.Open(path).Dispose(), path, "truncated or damaged zip archive");
    }
}
