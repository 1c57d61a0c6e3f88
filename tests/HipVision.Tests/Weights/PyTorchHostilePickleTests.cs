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
