using HipVision.Weights;

namespace HipVision.Tests.Weights;

/// <summary>
/// NaN and ±Inf weights load (a checkpoint may legitimately hold them in tensors a model never reads) but raise one
/// warning per tensor naming the file and the tensor, from the float32 conversion every read makes anyway.
/// </summary>
public class NonFiniteWeightTests
{
    TempDir _tmp = null!;
    List<string> _warnings = null!;

    [SetUp]
    public void SetUp()
    {
        _tmp = new TempDir();
        _warnings = [];
        HipVisionWarnings.Sink = _warnings.Add;
    }

    [TearDown]
    public void TearDown()
    {
        HipVisionWarnings.Sink = null!;
        _tmp.Dispose();
    }

    [Test]
    public void SafeTensors_nanInF32_warnsNamingFileTensorAndFirstElement()
    {
        var path = _tmp.File("nan.safetensors");
        var values = new float[37];
        values[20] = float.NaN;
        values[33] = float.PositiveInfinity;
        new SafeTensorsWriter().Add("w", values, [37]).Add("ok", new float[37], [37]).Write(path);
        using var file = SafeTensorsFile.Open(path);
        Assert.That(_warnings, Is.Empty, "opening reads no data");
        Assert.That(file.ReadFloat32("ok"), Has.Length.EqualTo(37));
        Assert.That(_warnings, Is.Empty);
        var got = file.ReadFloat32("w");
        Assert.That(float.IsNaN(got[20]) && float.IsPositiveInfinity(got[33]), "values are kept as they are");
        Assert.That(_warnings, Is.EqualTo(new[] { $"{path}: tensor 'w' has 2 non-finite values of 37 (first at element 20: NaN); outputs that depend on it will be NaN or Inf" }));
    }

    [TestCase(SafeTensorDtype.F16, new byte[] { 0, 0, 0x00, 0x7C })]       // 0, +Inf
    [TestCase(SafeTensorDtype.BF16, new byte[] { 0, 0, 0xC0, 0xFF })]      // 0, NaN
    [TestCase(SafeTensorDtype.F64, new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0x7F })]  // 0, +Inf
    public void SafeTensors_nonFiniteInOtherFloatDtypes_warns(SafeTensorDtype dtype, byte[] data)
    {
        var path = _tmp.File("h.safetensors");
        new SafeTensorsWriter().Add("h", dtype, [2], data).Write(path);
        using var file = SafeTensorsFile.Open(path);
        file.ReadFloat32("h");
        Assert.That(_warnings, Has.Count.EqualTo(1).And.Some.Contains("tensor 'h' has 1 non-finite value of 2 (first at element 1"));
    }

    [Test]
    public void SafeTensors_f64BeyondTheFloatRange_warnsBecauseItBecomesInfinite()
    {
        var path = _tmp.File("big.safetensors");
        new SafeTensorsWriter().Add("d", SafeTensorDtype.F64, [1], BitConverter.GetBytes(1e300)).Write(path);
        using var file = SafeTensorsFile.Open(path);
        Assert.That(file.ReadFloat32("d")[0], Is.EqualTo(float.PositiveInfinity));
        Assert.That(_warnings, Has.One.Contains("first at element 0: Infinity"));
    }

    [Test]
    public void SafeTensors_everyLength_checkedToTheLastElement()
    {
        // The vector loop and the scalar tail both look: a NaN in the last element of every length up to 70,
        // after a 1-byte tensor so that the floats are not 4-byte aligned in the mapping.
        for (int n = 1; n <= 70; n++)
        {
            var values = new float[n];
            values[^1] = float.NaN;
            var path = _tmp.File($"t{n}.safetensors");
            var header = $$$"""{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"F32","shape":[{{{n}}}],"data_offsets":[1,{{{1 + 4 * n}}}]}}""";
            _tmp.Raw($"t{n}.safetensors", header, 1 + 4 * n);
            var bytes = File.ReadAllBytes(path);
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(bytes.AsSpan(bytes.Length - 4 * n));
            File.WriteAllBytes(path, bytes);
            using var file = SafeTensorsFile.Open(path);
            _warnings.Clear();
            file.ReadFloat32("w");
            Assert.That(_warnings, Has.Count.EqualTo(1), $"length {n}");
        }
    }

    [Test]
    public void PyTorch_infInTensor_warnsNamingTensor()
    {
        var pickle = new TorchPickle().Proto().EmptyDict().Str("w").FloatTensor("0", 3).SetItem().Stop().ToArray();
        var path = TorchPickle.WriteCheckpoint(_tmp.File("pytorch_model.bin"), pickle,
            new Dictionary<string, byte[]> { ["0"] = TorchPickle.Floats(1, float.NegativeInfinity, 3) });
        using var checkpoint = PyTorchCheckpoint.Open(path);
        checkpoint.ReadFloat32("w");
        Assert.That(_warnings, Is.EqualTo(new[] { $"{path}: tensor 'w' has 1 non-finite value of 3 (first at element 1: -Infinity); outputs that depend on it will be NaN or Inf" }));
    }

    [Test]
    public void Warnings_defaultSink_writesOneStderrLine()
    {
        HipVisionWarnings.Sink = null!;
        var saved = Console.Error;
        var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            var path = _tmp.File("n.safetensors");
            new SafeTensorsWriter().Add("w", [float.NaN], [1]).Write(path);
            using var file = SafeTensorsFile.Open(path);
            file.ReadFloat32("w");
        }
        finally
        {
            Console.SetError(saved);
        }
        Assert.That(captured.ToString(), Does.StartWith("warning: ").And.Contain("tensor 'w' has 1 non-finite value"));
    }
}
