using HipVision.Weights;

namespace HipVision.Tests.Weights;

/// <summary><see cref="PyTorchCheckpoint"/>: the fixtures' torch.save files, and hand-made ones with unusual layouts.</summary>
public class PyTorchCheckpointTests
{
    static readonly string[] TinyModels = ["tiny-vit", "tiny-beit", "tiny-mobilenet_v1", "tiny-efficientnet"];

    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    [TestCaseSource(nameof(TinyModels))]
    public void Open_tinyFixture_bitIdenticalToItsSafetensors(string model)
    {
        var dir = Fixtures.Model(model);
        using var bin = PyTorchCheckpoint.Open(Path.Combine(dir, PyTorchCheckpoint.FileName));
        using var st = SafeTensorsFile.Open(Path.Combine(dir, SafeTensorsWeights.SingleFileName));
        Assert.That(bin.Names.Order(StringComparer.Ordinal), Is.EqualTo(st.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal)));
        foreach (var want in st.Tensors)
        {
            var got = bin.Info(want.Name);
            Assert.That(got.Dtype, Is.EqualTo(want.Dtype), want.Name);
            Assert.That(got.Shape, Is.EqualTo(want.Shape), want.Name);
            Assert.That(bin.ReadBytes(want.Name).AsSpan().SequenceEqual(st.Bytes(want.Name)), Is.True, $"{want.Name}: bytes differ");
        }
        Assert.That(bin.Tensors.Any(t => t.Dtype == SafeTensorDtype.I64 && t.Shape.Length == 0) || model is "tiny-vit" or "tiny-beit",
            "the BatchNorm fixtures hold 0-d int64 num_batches_tracked");
    }

    [Test]
    public void Get_tinyVit_equalsTheFormula()
    {
        using IWeightSource weights = PyTorchCheckpoint.Open(Path.Combine(Fixtures.Model("tiny-vit"), PyTorchCheckpoint.FileName));
        Assert.That(weights.Get("classifier.weight", [10, 64]), Is.EqualTo(HvSynth.Generate("classifier.weight", [10, 64], 1)));
    }

    [Test]
    public void Get_missingTensor_namesFileAndTensor()
    {
        var path = Path.Combine(Fixtures.Model("tiny-vit"), PyTorchCheckpoint.FileName);
        using var weights = PyTorchCheckpoint.Open(path);
        var e = Assert.Throws<HipVisionException>(() => weights.Get("vit.pooler.dense.weight", [64, 64]));
        Assert.That(e!.Message, Is.EqualTo($"{path}: tensor 'vit.pooler.dense.weight' missing"));
    }

    [Test]
    public void Get_wrongShape_namesFileTensorAndBothShapes()
    {
        var path = Path.Combine(Fixtures.Model("tiny-vit"), PyTorchCheckpoint.FileName);
        using var weights = PyTorchCheckpoint.Open(path);
        var e = Assert.Throws<HipVisionException>(() => weights.Get("classifier.weight", [1000, 768]));
        Assert.That(e!.Message, Is.EqualTo($"{path}: tensor 'classifier.weight' has shape [10, 64], the config expects [1000, 768]"));
    }

    [Test]
    public void Get_int64Tensor_refusedAsNotFloat()
    {
        var path = Path.Combine(Fixtures.Model("tiny-efficientnet"), PyTorchCheckpoint.FileName);
        using var weights = PyTorchCheckpoint.Open(path);
        var name = weights.Tensors.First(t => t.Dtype == SafeTensorDtype.I64).Name;
        var e = Assert.Throws<HipVisionException>(() => weights.Get(name, []));
        Assert.That(e!.Message, Does.StartWith($"{path}: tensor '{name}' has dtype I64"));
    }

    [Test]
    public void ReadFloat32_transposedView_gathersInCOrder()
    {
        // Storage holds a 2x3 matrix row-major; the tensor is its transpose: shape [3, 2], stride (1, 3).
        var pickle = new TorchPickle().Proto().EmptyDict().Mark()
            .Str("t").Tensor("FloatStorage", "0", 6, 0, [3, 2], [1, 3])
            .SetItems().Stop().ToArray();
        var path = TorchPickle.WriteCheckpoint(_tmp.File("t.bin"), pickle, new Dictionary<string, byte[]> { ["0"] = TorchPickle.Floats(0, 1, 2, 3, 4, 5) });
        using var ckpt = PyTorchCheckpoint.Open(path);
        Assert.That(ckpt.Info("t").IsContiguous, Is.False);
        Assert.That(ckpt.Get("t", [3, 2]), Is.EqualTo(new float[] { 0, 3, 1, 4, 2, 5 }));
    }

    [Test]
    public void ReadFloat32_offsetPermutedAndExpandedViews_matchIndexFormula()
    {
        var seed = TestContext.CurrentContext.Random.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        var storage = Enumerable.Range(0, 200).Select(_ => (float)rng.NextDouble()).ToArray();
        (string Name, long Offset, int[] Shape, long[] Stride)[] views =
        [
            ("permuted", 7, [3, 4, 5], [1, 15, 3]),   // a [4,5,3] block seen as [3,4,5]
            ("expanded", 11, [4, 6], [0, 1]),          // one row broadcast to 4 (stride 0)
            ("sliced", 2, [5, 7], [20, 2]),            // every other column of a wider matrix
            ("scalar", 199, [], []),
            ("empty", 0, [0, 3], [3, 1]),
        ];
        var p = new TorchPickle().Proto().EmptyDict().Mark();
        foreach (var v in views) p.Str(v.Name).Tensor("FloatStorage", "0", storage.Length, v.Offset, v.Shape, v.Stride);
        var path = TorchPickle.WriteCheckpoint(_tmp.File("views.bin"), p.SetItems().Stop().ToArray(),
            new Dictionary<string, byte[]> { ["0"] = TorchPickle.Floats(storage) });
        using var ckpt = PyTorchCheckpoint.Open(path);
        foreach (var v in views)
            Assert.That(ckpt.Get(v.Name, v.Shape), Is.EqualTo(Reference(storage, v.Offset, v.Shape, v.Stride)), v.Name);
    }

    // want[i] = storage[offset + Σ index_d(i)·stride_d], written out the slow way.
    static float[] Reference(float[] storage, long offset, int[] shape, long[] stride)
    {
        int count = shape.Aggregate(1, (a, d) => a * d);
        var result = new float[count];
        for (int i = 0; i < count; i++)
        {
            long at = offset;
            int rest = i;
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                at += rest % shape[d] * stride[d];
                rest /= shape[d];
            }
            result[i] = storage[at];
        }
        return result;
    }

    [Test]
    public void ReadFloat32_halfBFloat16AndDoubleStorages_convert()
    {
        var half = new byte[6];
        for (int i = 0; i < 3; i++) BitConverter.TryWriteBytes(half.AsSpan(2 * i), (Half)(i + 0.5f));
        byte[] bf16 = [0x80, 0x3f, 0x00, 0xc0]; // 1.0, -2.0: the upper halves of the float32 bits
        var f64 = new[] { 0.1, -3.0 }.SelectMany(BitConverter.GetBytes).ToArray();
        var pickle = new TorchPickle().Proto().EmptyDict().Mark()
            .Str("h").Tensor("HalfStorage", "0", 3, 0, [3], [1])
            .Str("b").Tensor("BFloat16Storage", "1", 2, 0, [2], [1])
            .Str("d").Tensor("DoubleStorage", "2", 2, 0, [2], [1])
            .SetItems().Stop().ToArray();
        var path = TorchPickle.WriteCheckpoint(_tmp.File("dtypes.bin"), pickle,
            new Dictionary<string, byte[]> { ["0"] = half, ["1"] = bf16, ["2"] = f64 });
        using var ckpt = PyTorchCheckpoint.Open(path);
        Assert.That(ckpt.Get("h", [3]), Is.EqualTo(new[] { 0.5f, 1.5f, 2.5f }));
        Assert.That(ckpt.Get("b", [2]), Is.EqualTo(new[] { 1f, -2f }));
        Assert.That(ckpt.Get("d", [2]), Is.EqualTo(new[] { 0.1f, -3f }));
    }

    [Test]
    public void Open_moduleStateDict_orderedDictWithMetadataAndParameters()
    {
        // model.state_dict() is an OrderedDict whose _metadata attribute pickles as BUILD state;
        // torch.save(dict(model.named_parameters())) wraps tensors in _rebuild_parameter.
        var pickle = new TorchPickle().Proto()
            .Global("collections", "OrderedDict").Put(0).EmptyTuple().Reduce()
            .Mark()
                .Str("w").Global("torch._utils", "_rebuild_parameter")
                    .FloatTensor("0", 2).False().Get(0).EmptyTuple().Reduce().Op(0x87).Reduce()
                .Str("b").FloatTensor("1", 1)
            .SetItems()
            .EmptyDict().Str("_metadata").Get(0).EmptyTuple().Reduce()
                .Str("").EmptyDict().Str("version").Int(1).SetItem().SetItem()
            .SetItem().Build()
            .Stop().ToArray();
        var path = TorchPickle.WriteCheckpoint(_tmp.File("module.bin"), pickle,
            new Dictionary<string, byte[]> { ["0"] = TorchPickle.Floats(1, 2), ["1"] = TorchPickle.Floats(3) });
        using var ckpt = PyTorchCheckpoint.Open(path);
        Assert.That(ckpt.Names, Is.EqualTo(new[] { "w", "b" }));
        Assert.That(ckpt.Get("w", [2]), Is.EqualTo(new[] { 1f, 2f }));
        Assert.That(ckpt.Get("b", [1]), Is.EqualTo(new[] { 3f }));
    }
}
