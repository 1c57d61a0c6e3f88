using System.Text;
using HipVision.Weights;

namespace HipVision.Tests.Weights;

/// <summary><see cref="WeightFiles.Open"/>: which format a model directory or file is read as, PyTorch included.</summary>
public class PyTorchWeightFilesTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    static readonly string TinyVitBin = Path.Combine(Fixtures.Model("tiny-vit"), PyTorchCheckpoint.FileName);

    [Test]
    public void Open_directoryWithBothFormats_prefersSafetensors()
    {
        using var weights = WeightFiles.Open(Fixtures.Model("tiny-vit"));
        Assert.That(weights, Is.InstanceOf<SafeTensorsWeights>());
    }

    [Test]
    public void Open_directoryWithOnlyPytorchModelBin_readsIt()
    {
        File.Copy(TinyVitBin, _tmp.File(PyTorchCheckpoint.FileName));
        using var weights = WeightFiles.Open(_tmp.Path);
        Assert.That(weights, Is.InstanceOf<PyTorchCheckpoint>());
        Assert.That(weights.SourceName, Is.EqualTo(_tmp.File(PyTorchCheckpoint.FileName)));
        Assert.That(weights.Get("classifier.weight", [10, 64]), Is.EqualTo(HvSynth.Generate("classifier.weight", [10, 64], 1)));
    }

    [Test]
    public void Open_filePaths_chosenBySignatureNotName()
    {
        var renamed = _tmp.File("weights.safetensors");
        File.Copy(TinyVitBin, renamed);
        using (var w = WeightFiles.Open(renamed)) Assert.That(w, Is.InstanceOf<PyTorchCheckpoint>());
        using (var w = WeightFiles.Open(Path.Combine(Fixtures.Model("tiny-vit"), SafeTensorsWeights.SingleFileName)))
            Assert.That(w, Is.InstanceOf<SafeTensorsWeights>());
    }

    [Test]
    public void Open_directoryWithLegacyBin_saysResave()
    {
        File.WriteAllBytes(_tmp.File(PyTorchCheckpoint.FileName), [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);
        var e = Assert.Throws<HipVisionException>(() => WeightFiles.Open(_tmp.Path).Dispose());
        Assert.That(e!.Message, Does.StartWith(_tmp.File(PyTorchCheckpoint.FileName) + ": legacy (pre-1.6) PyTorch format is unsupported"));
    }

    [Test]
    public void Open_emptyDirectory_listsEveryNameTried()
    {
        var e = Assert.Throws<HipVisionException>(() => WeightFiles.Open(_tmp.Path).Dispose());
        Assert.That(e!.Message, Is.EqualTo(
            $"{_tmp.Path}: directory holds none of model.safetensors, model.safetensors.index.json, pytorch_model.bin, pytorch_model.bin.index.json"));
    }

    [Test]
    public void Open_shardedPytorchIndex_readsEveryShard()
    {
        WriteShard("pytorch_model-00001-of-00002.bin", "a.weight", 1, 2);
        WriteShard("pytorch_model-00002-of-00002.bin", "b.bias", 3);
        WriteIndex("""{"a.weight": "pytorch_model-00001-of-00002.bin", "b.bias": "pytorch_model-00002-of-00002.bin"}""");
        using var weights = WeightFiles.Open(_tmp.Path);
        Assert.That(weights.SourceName, Is.EqualTo(_tmp.File(PyTorchCheckpoint.IndexFileName)));
        Assert.That(weights.Names.Order(), Is.EqualTo(new[] { "a.weight", "b.bias" }));
        Assert.That(weights.Get("a.weight", [2]), Is.EqualTo(new[] { 1f, 2f }));
        Assert.That(weights.Get("b.bias", [1]), Is.EqualTo(new[] { 3f }));
        var e = Assert.Throws<HipVisionException>(() => weights.Get("b.bias", [2]));
        Assert.That(e!.Message, Does.StartWith(_tmp.File("pytorch_model-00002-of-00002.bin") + ": tensor 'b.bias' has shape [1]"), "names the shard");
    }

    [Test]
    public void Open_shardedIndexNamingTheWrongShard_namesIndexAndTensor()
    {
        WriteShard("pytorch_model-00001-of-00001.bin", "a.weight", 1);
        WriteIndex("""{"b.bias": "pytorch_model-00001-of-00001.bin"}""");
        var e = Assert.Throws<HipVisionException>(() => WeightFiles.Open(_tmp.Path).Dispose());
        Assert.That(e!.Message, Is.EqualTo($"{_tmp.File(PyTorchCheckpoint.IndexFileName)}: tensor 'b.bias' is mapped to pytorch_model-00001-of-00001.bin, which does not hold it"));
    }

    void WriteShard(string file, string name, params float[] values)
    {
        var pickle = new TorchPickle().Proto().EmptyDict().Str(name).FloatTensor("0", values.Length).SetItem().Stop().ToArray();
        TorchPickle.WriteCheckpoint(_tmp.File(file), pickle, new Dictionary<string, byte[]> { ["0"] = TorchPickle.Floats(values) },
            archive: Path.GetFileNameWithoutExtension(file));
    }

    void WriteIndex(string weightMap) =>
        File.WriteAllText(_tmp.File(PyTorchCheckpoint.IndexFileName), $$"""{"metadata": {"total_size": 12}, "weight_map": {{weightMap}}}""", Encoding.UTF8);
}
