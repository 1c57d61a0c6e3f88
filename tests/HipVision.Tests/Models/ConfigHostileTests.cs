using HipVision.Models;
using HipVision.Tests.Weights;

namespace HipVision.Tests.Models;

/// <summary>Hostile config.json files: each is one typed, one-line error naming the file, never a crash, a hang or a huge allocation.</summary>
public class ConfigHostileTests
{
    static string Fails(string json, string source = "cfg/config.json")
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<HipVisionException>(() => ModelConfig.Parse(json, source));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        TestContext.Out.WriteLine($"{e!.Message} ({allocated} bytes allocated)");
        Assert.That(e.Message, Does.StartWith(source + ": ").And.Not.Contain('\n'));
        Assert.That(allocated, Is.LessThan(2L * json.Length + (16 << 20)), "no allocation beyond the text itself");
        return e.Message;
    }

    // Regression: JsonElement.GetDouble throws FormatException (not a HipVisionException) for a literal beyond the double range.
    [TestCase("vit", "layer_norm_eps")]
    [TestCase("mobilenet_v1", "depth_multiplier")]
    [TestCase("efficientnet", "batch_norm_eps")]
    public void Parse_numberBeyondTheDoubleRange_typedError(string type, string key) =>
        Assert.That(Fails($$"""{"model_type": "{{type}}", "{{key}}": 1e400}"""), Does.Contain($"'{key}' must be a finite number"));

    // Regression: a negative num_labels reached Enumerable.Range (ArgumentOutOfRangeException); a huge one made up 2e9 labels.
    [TestCase(-1)]
    [TestCase(2_000_000_000)]
    public void Parse_numLabelsOutOfRange_typedErrorBeforeAllocating(int n) =>
        Assert.That(Fails($$"""{"model_type": "vit", "num_labels": {{n}}}"""), Does.Contain($"num_labels {n} is not in 0..1000000"));

    // Regression: duplicate id2label keys left a hole (a null label) in the label list.
    [TestCase("""{"0": "cat", "0": "dog"}""", "names class 0 twice")]
    [TestCase("""{"0": "cat", "01": "dog"}""", "key '01' is not an index")]
    [TestCase("""{"0": "cat", "+1": "dog"}""", "key '+1' is not an index")]
    [TestCase("""{"0": "cat", " 1": "dog"}""", "key ' 1' is not an index")]
    [TestCase("""{"0": "cat", "2": "dog"}""", "key '2' is not an index in 0..1")]
    public void Parse_id2labelNotDense_typedError(string id2label, string expected) =>
        Assert.That(Fails($$"""{"model_type": "vit", "id2label": {{id2label}}}"""), Does.Contain(expected));

    [TestCase("image_size", 1_000_000, "image_size 1000000 is not in 1..4096")]
    [TestCase("hidden_size", 1 << 20, "hidden_size 1048576 is not in 1..65536")]
    [TestCase("intermediate_size", int.MaxValue, "intermediate_size 2147483647 is not in 1..65536")]
    [TestCase("num_hidden_layers", 100_000, "num_hidden_layers 100000 is not in 0..1024")]
    public void Parse_transformerSizesBeyondSaneBounds_typedError(string key, int value, string expected) =>
        Assert.That(Fails($$"""{"model_type": "beit", "num_attention_heads": 1, "{{key}}": {{value}}}"""), Does.Contain(expected));

    // Regression: within the per-field bounds, hidden_size = intermediate_size = 65536 implied a 2^32-element MLP weight,
    // which inspect's placeholder weights tried to allocate (OverflowException).
    [TestCase("\"hidden_size\": 65536, \"intermediate_size\": 65536", "the MLP weight (intermediate_size × hidden_size) would have 4294967296 elements")]
    [TestCase("\"image_size\": 4096, \"patch_size\": 1", "give 16777216 patches, more than 4096")]
    [TestCase("\"hidden_size\": 65536, \"num_labels\": 100000", "the classifier (num_labels × hidden_size)")]
    public void Parse_impliedTensorBeyond2To28Elements_typedError(string fields, string expected) =>
        Assert.That(Fails($$"""{"model_type": "vit", "num_attention_heads": 1, {{fields}}}"""), Does.Contain(expected));

    [TestCase("mobilenet_v1", "\"depth_multiplier\": 40", "wider than 16384 channels")]
    [TestCase("mobilenet_v1", "\"num_labels\": 100000, \"depth_multiplier\": 4", "the classifier")]
    [TestCase("efficientnet", "\"width_coefficient\": 60, \"expand_ratios\": [1, 6, 6, 6, 6, 6, 60]", "wider than 262144 channels")]
    [TestCase("efficientnet", "\"width_coefficient\": 30", "projection weight would have 331776000 elements")]
    public void Parse_convNetImpliedTensorTooLarge_typedError(string type, string fields, string expected) =>
        Assert.That(Fails($$"""{"model_type": "{{type}}", {{fields}}}"""), Does.Contain(expected));

    [Test]
    public void Parse_mobileNetImageSizeBeyondBound_typedError() =>
        Assert.That(Fails("""{"model_type": "mobilenet_v1", "image_size": 100000}"""), Does.Contain("image_size 100000 is not in 1..4096"));

    [Test]
    public void Parse_deeplyNestedJson_typedErrorNotAStackOverflow()
    {
        var json = """{"model_type": "vit", "x": """ + new string('[', 1_000_000) + new string(']', 1_000_000) + "}";
        Assert.That(Fails(json), Does.Contain("not valid JSON").And.Contain("depth"));
    }

    [Test]
    public void Parse_controlCharactersInModelType_messageStaysOneLine() =>
        Assert.That(Fails("""{"model_type": "vit\nINFO: all good"}"""), Does.Contain(@"'vit\x0aINFO: all good' is not supported"));

    [Test]
    public void Load_configAboveTheSizeLimit_refusedBeforeReading()
    {
        using var tmp = new TempDir();
        var path = tmp.File("config.json");
        using (var f = File.Create(path)) f.SetLength(1L << 32); // sparse 4 GiB: costs no disk
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<HipVisionException>(() => ModelConfig.Load(path));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1 << 20));
        Assert.That(e!.Message, Is.EqualTo($"{path}: 4294967296 bytes, more than the 67108864-byte limit for a config.json"));
    }

    [Test]
    public void Load_configWithByteOrderMark_stillParses()
    {
        using var tmp = new TempDir();
        var path = tmp.File("config.json");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. """{"model_type": "vit", "num_labels": 3}"""u8]);
        Assert.That(ModelConfig.Load(path).NumLabels, Is.EqualTo(3));
    }
}
