using HipVision.Weights;

namespace HipVision.Tests.Weights;

/// <summary>Hostile shard indexes (<c>*.index.json</c>), for safetensors and PyTorch shards alike: one typed line naming the index.</summary>
public class ShardIndexHostileTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp()
    {
        _tmp = new TempDir();
        new SafeTensorsWriter().Add("a", [1f], [1]).Write(_tmp.File("s1.safetensors"));
    }

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    string Fails(string json, string name = "model.safetensors.index.json")
    {
        var index = _tmp.File(name);
        File.WriteAllText(index, json);
        var e = Assert.Throws<HipVisionException>(() => WeightFiles.Open(index).Dispose());
        TestContext.Out.WriteLine(e!.Message);
        Assert.That(e.Message, Does.StartWith(index + ": ").And.Not.Contain('\n'));
        return e.Message;
    }

    [TestCase("..")]
    [TestCase(".")]
    [TestCase("/etc/passwd")]
    [TestCase("sub/s1.safetensors")]
    [TestCase("sub\\\\s1.safetensors")]
    [TestCase("")]
    // Regression: a NUL in the shard name reached FileStream, which throws ArgumentException.
    [TestCase("s1.safetensors\\u0000.txt")]
    [TestCase("s1\\n.safetensors")]
    public void Open_shardNameNotAPlainFileName_refused(string shard) =>
        Assert.That(Fails($$$"""{"weight_map": {"a": "{{{shard}}}"}}"""), Does.Contain("not a file name"));

    [TestCase("model.safetensors.index.json")]
    [TestCase("pytorch_model.bin.index.json")]
    public void Open_shardMappedToAnotherFileType_typedError(string indexName) =>
        Fails($$$"""{"weight_map": {"a": "{{{indexName}}}"}}""", indexName);

    [Test]
    public void Open_tensorNamedTwice_refused() =>
        Assert.That(Fails("""{"weight_map": {"a": "s1.safetensors", "a": "s1.safetensors"}}"""), Does.Contain("names tensor 'a' twice"));

    [Test]
    public void Open_deeplyNested_typedErrorNotAStackOverflow() =>
        Assert.That(Fails("""{"metadata": """ + new string('[', 100_000) + new string(']', 100_000) + """, "weight_map": {}}"""),
            Does.Contain("not valid JSON").And.Contain("depth"));

    [TestCase("""{"weight_map": []}""", "no \"weight_map\" object")]
    [TestCase("""[]""", "no \"weight_map\" object")]
    [TestCase("""{"weight_map": {"a": 7}}""", "not a file name")]
    [TestCase("""{"weight_map": {"a": "s1.safetensors"}""", "not valid JSON")]
    public void Open_malformedIndex_typedError(string json, string expected) =>
        Assert.That(Fails(json), Does.Contain(expected));

    [Test]
    public void Open_indexAboveTheSizeLimit_refusedBeforeReading()
    {
        var index = _tmp.File("model.safetensors.index.json");
        using (var f = File.Create(index)) f.SetLength(1L << 33); // sparse 8 GiB
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<HipVisionException>(() => WeightFiles.Open(index).Dispose());
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1 << 20));
        Assert.That(e!.Message, Is.EqualTo($"{index}: 8589934592 bytes, more than the 67108864-byte limit for a shard index"));
    }
}
