using HipVision.Weights;

namespace HipVision.Tests.Weights;

/// <summary>
/// Pickles that would run code under a plain <c>pickle.load</c>: each is refused, by name, before anything of
/// it is interpreted, and a canary that a real unpickler would create never appears.
/// </summary>
public class PyTorchHostilePickleTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    string Refused(byte[] pickle)
    {
        var path = TorchPickle.WriteCheckpoint(_tmp.File("pytorch_model.bin"), pickle);
        var e = Assert.Throws<HipVisionException>(() => PyTorchCheckpoint.Open(path).Dispose());
        TestContext.Out.WriteLine(e!.Message);
        Assert.That(e.Message, Does.StartWith(path + ":"));
        Assert.That(e.Message, Does.Not.Contain('\n'));
        return e.Message;
    }

    static string RefusalOf(string path, string global) =>
        $"{path}: refusing to load: the pickle references {global} (only state-dict globals are allowed)";

    [TestCase("os", "system")]
    [TestCase("posix", "system")]
    [TestCase("nt", "system")]
    [TestCase("builtins", "eval")]
    [TestCase("builtins", "exec")]
    [TestCase("__builtin__", "eval")]
    [TestCase("subprocess", "Popen")]
    [TestCase("subprocess", "check_output")]
    [TestCase("torch", "load")]
    [TestCase("torch._utils", "_rebuild_tensor_v2.__globals__")]   // protocol 4 resolves dotted names
    [TestCase("collections", "OrderedDict.__class__")]
    [TestCase("torch.serialization", "_get_restore_location")]
    public void Global_notAllowListed_refusedByName(string module, string name)
    {
        var pickle = new TorchPickle().Proto().Global(module, name).Str("echo pwned").Tuple1().Reduce().Stop().ToArray();
        Assert.That(Refused(pickle), Is.EqualTo(RefusalOf(_tmp.File("pytorch_model.bin"), $"{module}.{name}")));
    }

    [TestCase("os", "system")]
    [TestCase("builtins", "eval")]
    [TestCase("subprocess", "Popen")]
    public void StackGlobal_notAllowListed_refusedByName(string module, string name)
    {
        var pickle = new TorchPickle().Proto(4).StackGlobal(module, name).Str("echo pwned").Tuple1().Reduce().Stop().ToArray();
        Assert.That(Refused(pickle), Is.EqualTo(RefusalOf(_tmp.File("pytorch_model.bin"), $"{module}.{name}")));
    }

    [Test]
    public void Global_hiddenAfterARealTensor_stillRefused()
    {
        var pickle = new TorchPickle().Proto().EmptyDict().Mark()
            .Str("w").FloatTensor("0", 2)
            .Str("x").Global("os", "system").Str("echo pwned").Tuple1().Reduce()
            .SetItems().Stop().ToArray();
        Assert.That(Refused(pickle), Does.Contain("the pickle references os.system"));
    }

    [Test]
    public void Canary_fileCreatingGlobals_neverRun()
    {
        var canary = _tmp.File("canary");
        byte[][] attempts =
        [
            new TorchPickle().Proto().Global("os", "system").Str($"touch '{canary}'").Tuple1().Reduce().Stop().ToArray(),
            new TorchPickle().Proto().Global("builtins", "open").Str(canary).Str("w").Tuple2().Reduce().Stop().ToArray(),
            new TorchPickle().Proto(4).StackGlobal("pathlib", "Path").Str(canary).Tuple1().Reduce().Stop().ToArray(),
            new TorchPickle().Proto().Global("subprocess", "run").Mark().Str("touch").Str(canary).Op((byte)'l').Tuple1().Reduce().Stop().ToArray(),
        ];
        foreach (var pickle in attempts)
        {
            Assert.That(Refused(pickle), Does.Contain("refusing to load"));
            Assert.That(File.Exists(canary), Is.False, "nothing from the pickle ran");
        }
    }

    [Test]
    public void StackGlobal_controlCharactersInName_messageStaysOneLine()
    {
        var pickle = new TorchPickle().Proto(4).StackGlobal("os", "system\nINFO all good").Stop().ToArray();
        Assert.That(Refused(pickle), Does.Contain(@"os.system\x0aINFO all good"));
    }

    [Test]
    public void Reduce_ofAStorageClass_refused()
    {
        // An allow-listed name is still only data: a storage class may appear in a persistent id, never be called.
        var pickle = new TorchPickle().Proto().Global("torch", "FloatStorage").Int(10).Tuple1().Reduce().Stop().ToArray();
        Assert.That(Refused(pickle), Does.Contain("REDUCE of torch.FloatStorage"));
    }

    [Test]
    public void Reduce_ofANonGlobal_refused()
    {
        var pickle = new TorchPickle().Proto().Str("os.system").EmptyTuple().Reduce().Stop().ToArray();
        Assert.That(Refused(pickle), Does.Contain("not an allow-listed global"));
    }

    [TestCase((byte)0x81, "NEWOBJ (0x81)")]
    [TestCase((byte)'i', "INST (0x69)")]
    [TestCase((byte)'o', "OBJ (0x6f)")]
    [TestCase((byte)0x82, "EXT1 (0x82)")]
    [TestCase((byte)0x92, "NEWOBJ_EX (0x92)")]
    [TestCase((byte)'P', "PERSID (0x50)")]
    [TestCase((byte)0xfe, "0xfe (not a pickle opcode)")]
    public void Opcode_outsideTheStateDictSet_refusedByName(byte op, string described)
    {
        var pickle = new TorchPickle().Proto().Op(op).Stop().ToArray();
        Assert.That(Refused(pickle), Does.Contain($"unsupported pickle opcode {described}"));
    }

    [Test]
    public void PersistentId_notATorchStorage_refused()
    {
        var pickle = new TorchPickle().Proto().Mark().Str("module").Str("os").Tuple().BinPersId().Stop().ToArray();
        Assert.That(Refused(pickle), Does.Contain("persistent id ('module', 'os')"));
    }

    [Test]
    public void Memo_readBeforeWrite_refused()
    {
        var pickle = new TorchPickle().Proto().Get(7).Stop().ToArray();
        Assert.That(Refused(pickle), Does.Contain("memo entry 7"));
    }

    [Test]
    public void PersistentId_deeplyNestedTuple_refusedWithoutRecursing()
    {
        var p = new TorchPickle().Proto().Str("x");
        for (int i = 0; i < 200_000; i++) p.Tuple1();
        Assert.That(Refused(p.BinPersId().Stop().ToArray()), Does.Contain("persistent id ((tuple of 1,),)"));
    }
}

/// <summary>Pickles and archives that abuse sizes rather than globals: bounded work, bounded memory, one typed line.</summary>
public class PyTorchResourceAbuseTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    string Fails(string path)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<HipVisionException>(() => PyTorchCheckpoint.Open(path).Dispose());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        TestContext.Out.WriteLine($"{e!.Message} ({allocated} bytes allocated, {clock.ElapsedMilliseconds} ms)");
        Assert.That(e.Message, Does.StartWith(path + ":").And.Not.Contain('\n'));
        Assert.That(allocated, Is.LessThan(64L << 20), "no allocation beyond a small multiple of the pickle");
        return e.Message;
    }

    string Checkpoint(TorchPickle pickle, IReadOnlyDictionary<string, byte[]>? storages = null) =>
        TorchPickle.WriteCheckpoint(_tmp.File("pytorch_model.bin"), pickle.Stop().ToArray(), storages);

    // Regression: [2^30, 2^30, 2^30] wrapped ElementCount to 0 in 64 bits, so the view "fit" a 1-element storage.
    [Test]
    public void Tensor_shapeWhoseProductOverflows_refused()
    {
        var p = new TorchPickle().Proto().EmptyDict().Str("w").Tensor("FloatStorage", "0", 1, 0, [1 << 30, 1 << 30, 1 << 30], [0, 0, 0]).SetItem();
        Assert.That(Fails(Checkpoint(p, new Dictionary<string, byte[]> { ["0"] = TorchPickle.Floats(1) })), Does.Contain("more than 2^53 elements"));
    }

    [Test]
    public void Tensor_rankAbove64_refused()
    {
        var shape = Enumerable.Repeat(1, 65).ToArray();
        var p = new TorchPickle().Proto().EmptyDict().Str("w").Tensor("FloatStorage", "0", 1, 0, shape, TorchPickle.ContiguousStride(shape)).SetItem();
        Assert.That(Fails(Checkpoint(p, new Dictionary<string, byte[]> { ["0"] = TorchPickle.Floats(1) })), Does.Contain("65 dimensions, more than 64"));
    }

    [Test]
    public void Long4_ofAMegabyte_refusedWithoutBigIntegerWork()
    {
        var p = new TorchPickle().Proto().Op([0x8b, .. BitConverter.GetBytes(1 << 20), .. new byte[1 << 20]]);
        Assert.That(Fails(Checkpoint(p)), Does.Contain("integer of 1048576 bytes does not fit in 64 bits"));
    }

    [Test]
    public void List_containingItself_describedWithoutRecursing()
    {
        // l = []; l.append(l); {'w': l}
        var p = new TorchPickle().Proto().EmptyDict().Str("w").Op((byte)']').Put(0).Get(0).Op((byte)'a').SetItem();
        Assert.That(Fails(Checkpoint(p)), Does.Contain("entry 'w' is a list, not a tensor"));
    }

    [Test]
    public void PersistentId_tupleHoldingACyclicList_describedWithoutRecursing()
    {
        var p = new TorchPickle().Proto().Op((byte)']').Put(0).Get(0).Op((byte)'a').Get(0).Tuple2().BinPersId();
        Assert.That(Fails(Checkpoint(p)), Does.Contain("persistent id (list of 1, list of 1)"));
    }

    [Test]
    public void Memo_millionsOfEntries_boundedByThePickleAndTyped()
    {
        // 1M LONG_BINPUT, then a refused opcode: linear work, memory a pointer per PUT.
        var p = new TorchPickle().Proto().Op((byte)'N');
        var ops = new byte[5 * 1_000_000];
        for (int i = 0; i < 1_000_000; i++)
        {
            ops[5 * i] = (byte)'r';
            BitConverter.TryWriteBytes(ops.AsSpan(5 * i + 1), i);
        }
        p.Op(ops).Op((byte)'i');
        Assert.That(Fails(Checkpoint(p)), Does.Contain("unsupported pickle opcode INST"));
    }

    // Regression: the memo was a dictionary keyed by any 32-bit id, so sparse ids cost ~80 bytes per 5-byte opcode.
    [Test]
    public void Memo_idSkippingAhead_refused()
    {
        var p = new TorchPickle().Proto().Op((byte)'N').Put(0).Op([(byte)'r', 0xff, 0xff, 0xff, 0x7f]);
        Assert.That(Fails(Checkpoint(p)), Does.Contain("memo entry 2147483647 written after only 1 entries"));
    }

    [Test]
    public void Stack_millionsOfMarks_typed()
    {
        var p = new TorchPickle().Proto().Op(Enumerable.Repeat((byte)'(', 2_000_000).ToArray());
        Assert.That(Fails(Checkpoint(p)), Does.Contain("STOP with 0 values on the stack and 2000000 open marks"));
    }

    [Test]
    public void DataPkl_deflateBombAboveTheLimit_refusedFromItsDeclaredSize()
    {
        // 80 MiB of zeros deflate to ~80 KB; the declared size is refused before a byte is inflated.
        var path = _tmp.File("pytorch_model.bin");
        using (var zip = new System.IO.Compression.ZipArchive(File.Create(path), System.IO.Compression.ZipArchiveMode.Create))
        using (var s = zip.CreateEntry("archive/data.pkl", System.IO.Compression.CompressionLevel.SmallestSize).Open())
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 80; i++) s.Write(zeros);
        }
        Assert.That(new FileInfo(path).Length, Is.LessThan(1 << 20));
        Assert.That(Fails(path), Does.Contain("record 'archive/data.pkl' is 83886080 bytes, more than the 67108864-byte limit"));
    }

    [Test]
    public void StorageRecord_declaringMoreThanDeflateCanProduce_refused()
    {
        // A deflated storage record whose sizes (local header and central directory) were edited to claim 1 GB.
        var path = _tmp.File("pytorch_model.bin");
        var pickle = new TorchPickle().Proto().EmptyDict().Str("w").FloatTensor("0", 4).SetItem().Stop().ToArray();
        using (var zip = new System.IO.Compression.ZipArchive(File.Create(path), System.IO.Compression.ZipArchiveMode.Create))
        {
            using (var s = zip.CreateEntry("archive/data.pkl", System.IO.Compression.CompressionLevel.NoCompression).Open()) s.Write(pickle);
            using (var s = zip.CreateEntry("archive/data/0", System.IO.Compression.CompressionLevel.Optimal).Open()) s.Write(new byte[16]);
        }
        var bytes = File.ReadAllBytes(path);
        PatchUncompressedSize(bytes, "archive/data/0", 1_000_000_000);
        File.WriteAllBytes(path, bytes);
        Assert.That(Fails(path), Does.Contain("record 'archive/data/0' declares 1000000000 bytes from").And.Contain("more than deflate can produce"));
    }

    /// <summary>Sets the uncompressed size of every header (local 0x04034b50 and central 0x02014b50) of the named entry.</summary>
    static void PatchUncompressedSize(byte[] zip, string name, uint size)
    {
        var nameBytes = System.Text.Encoding.ASCII.GetBytes(name);
        for (int i = 0; i + 46 < zip.Length; i++)
        {
            uint sig = BitConverter.ToUInt32(zip, i);
            if (sig == 0x04034b50 && BitConverter.ToUInt16(zip, i + 26) == nameBytes.Length && zip.AsSpan(i + 30, nameBytes.Length).SequenceEqual(nameBytes))
                BitConverter.TryWriteBytes(zip.AsSpan(i + 22), size);
            if (sig == 0x02014b50 && BitConverter.ToUInt16(zip, i + 28) == nameBytes.Length && zip.AsSpan(i + 46, nameBytes.Length).SequenceEqual(nameBytes))
                BitConverter.TryWriteBytes(zip.AsSpan(i + 24), size);
        }
    }
}
