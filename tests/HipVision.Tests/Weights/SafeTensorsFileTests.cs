using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using HipVision.Weights;

namespace HipVision.Tests.Weights;

/// <summary>Reading the fixture checkpoints, and writer/reader round trips.</summary>
public class SafeTensorsFileTests
{
    static readonly string[] TinyModels = ["tiny-vit", "tiny-beit", "tiny-mobilenet_v1", "tiny-efficientnet"];

    [TestCaseSource(nameof(TinyModels))]
    public void Open_tinyFixture_everyTensorEqualsGeneratorBitForBit(string model)
    {
        var path = Path.Combine(Fixtures.Model(model), "model.safetensors");
        var seed = StateDictManifest.Seed(model);
        var manifest = StateDictManifest.Read(model);
        using var file = SafeTensorsFile.Open(path);
        Assert.That(file.Metadata["format"], Is.EqualTo("pt"));
        Assert.That(file.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal),
            Is.EqualTo(manifest.Select(e => e.Name).Order(StringComparer.Ordinal)), "same names as the state_dict");
        foreach (var e in manifest)
        {
            var info = file.Info(e.Name);
            Assert.That(info.Shape, Is.EqualTo(e.Shape), e.Name);
            if (e.Dtype == "int64")
            {
                Assert.That(info.Dtype, Is.EqualTo(SafeTensorDtype.I64), e.Name);
                Assert.That(BinaryPrimitives.ReadInt64LittleEndian(file.Bytes(e.Name)), Is.EqualTo(0L), e.Name);
                continue;
            }
            Assert.That(info.Dtype, Is.EqualTo(SafeTensorDtype.F32), e.Name);
            var want = HvSynth.Generate(e.Name, e.Shape, seed);
            Assert.That(file.ReadFloat32(e.Name).AsSpan().SequenceEqual(want), Is.True, $"{model}: {e.Name}");
            Assert.That(file.Bytes(e.Name).SequenceEqual(MemoryMarshal.AsBytes(want.AsSpan())), Is.True, $"{model}: {e.Name} bytes");
        }
    }

    [TestCase("tiny-vit")]
    [TestCase("tiny-beit")]
    public void Write_allFloat32Fixture_reproducesTheFileByteForByte(string model)
    {
        // All-F32 checkpoints have a single dtype, so the library's (dtype, name) order is the fixture's name order.
        var path = Path.Combine(Fixtures.Model(model), "model.safetensors");
        using var tmp = new TempDir();
        var writer = new SafeTensorsWriter();
        using (var file = SafeTensorsFile.Open(path))
            foreach (var t in file.Tensors)
                writer.Add(t.Name, t.Dtype, t.Shape, file.Bytes(t.Name));
        var copy = tmp.File("copy.safetensors");
        writer.Write(copy);
        Assert.That(File.ReadAllBytes(copy), Is.EqualTo(File.ReadAllBytes(path)));
    }

    [Test]
    public void Write_mixedDtypes_roundTripsInLibraryOrder()
    {
        using var tmp = new TempDir();
        var path = tmp.File("mixed.safetensors");
        float[] f32 = [1.5f, -2.25f, 3e-8f, float.MaxValue, 0f, -0f];
        Half[] f16 = [(Half)1.5f, (Half)(-0.000061035156f), Half.MaxValue];
        double[] f64 = [Math.PI, -1e-40, 1e300];
        ushort[] bf16 = [0x3fc0, 0xc010, 0x0001];   // 1.5, -2.25, the smallest subnormal
        long[] i64 = [0];
        byte[] bools = [1, 0, 1];
        var writer = new SafeTensorsWriter()
            .Add("b.f32", f32, [2, 3])
            .Add("a.f16", SafeTensorDtype.F16, [3], MemoryMarshal.AsBytes(f16.AsSpan()))
            .Add("z.f64", SafeTensorDtype.F64, [3], MemoryMarshal.AsBytes(f64.AsSpan()))
            .Add("c.bf16", SafeTensorDtype.BF16, [1, 3], MemoryMarshal.AsBytes(bf16.AsSpan()))
            .Add("num_batches_tracked", SafeTensorDtype.I64, [], MemoryMarshal.AsBytes(i64.AsSpan()))
            .Add("mask", SafeTensorDtype.Bool, [3], bools)
            .Add("empty", [], [0, 4]);
        writer.Metadata["note"] = "héllo \"quoted\"";
        writer.Write(path);

        Assert.That(Directory.GetFiles(tmp.Path), Is.EqualTo(new[] { path }), "no temporary file left beside it");
        var bytes = File.ReadAllBytes(path);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.That(headerLength % 8, Is.Zero, "header padded to 8 bytes");
        var header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        Assert.That(header, Does.StartWith("{\"__metadata__\":{\"format\":\"pt\",\"note\":\"héllo \\\"quoted\\\"\"},"));

        using var file = SafeTensorsFile.Open(path);
        Assert.That(file.Tensors.Select(t => t.Name), Is.EqualTo(new[]
        {
            "num_batches_tracked", "z.f64", "b.f32", "empty", "c.bf16", "a.f16", "mask",
        }), "dtype alignment descending (I64, F64, F32, BF16, F16, BOOL), then name");
        long expectedBegin = 0;
        foreach (var t in file.Tensors)
        {
            Assert.That(t.DataBegin, Is.EqualTo(expectedBegin), $"{t.Name} packed after the previous tensor");
            expectedBegin = t.DataEnd;
        }
        Assert.That(bytes.Length, Is.EqualTo(8 + (long)headerLength + expectedBegin));

        Assert.That(file.Metadata["note"], Is.EqualTo("héllo \"quoted\""));
        Assert.That(file.Info("b.f32").Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(file.ReadFloat32("b.f32"), Is.EqualTo(f32));
        Assert.That(file.ReadFloat32("a.f16"), Is.EqualTo(f16.Select(h => (float)h).ToArray()));
        Assert.That(file.ReadFloat32("z.f64"), Is.EqualTo(f64.Select(d => (float)d).ToArray()));
        Assert.That(file.ReadFloat32("c.bf16").Select(BitConverter.SingleToUInt32Bits),
            Is.EqualTo(new uint[] { 0x3fc00000, 0xc0100000, 0x00010000 }));
        Assert.That(file.ReadFloat32("empty"), Is.Empty);
        Assert.That(file.Info("num_batches_tracked").Shape, Is.Empty);
        Assert.That(file.Bytes("mask").ToArray(), Is.EqualTo(bools));
        Assert.That(file.Contains("mask"), Is.True);
        Assert.That(file.Contains("nope"), Is.False);
    }

    [Test]
    public void Write_overExistingFile_replacesIt()
    {
        using var tmp = new TempDir();
        var path = tmp.File("w.safetensors");
        new SafeTensorsWriter().Add("x", [1f, 2f], [2]).Write(path);
        new SafeTensorsWriter().Add("y", [3f], [1]).Write(path);
        using var file = SafeTensorsFile.Open(path);
        Assert.That(file.Tensors.Select(t => t.Name), Is.EqualTo(new[] { "y" }));
    }

    [Test]
    public void Write_targetIsADirectory_throwsAndLeavesNothingBehind()
    {
        using var tmp = new TempDir();
        var target = tmp.File("taken");
        Directory.CreateDirectory(target);
        var e = Assert.Throws<HipVisionException>(() => new SafeTensorsWriter().Add("x", [1f], [1]).Write(target));
        Assert.That(e!.Message, Does.StartWith(target));
        Assert.That(Directory.GetFileSystemEntries(tmp.Path), Is.EqualTo(new[] { target }), "temporary file removed");
    }

    [Test]
    public void Add_sizeMismatchOrDuplicate_throwsArgumentException()
    {
        var writer = new SafeTensorsWriter().Add("x", [1f, 2f], [2]);
        Assert.Throws<ArgumentException>(() => writer.Add("x", [1f, 2f], [2]));
        Assert.Throws<ArgumentException>(() => writer.Add("y", [1f, 2f], [3]));
        Assert.Throws<ArgumentException>(() => writer.Add("__metadata__", [1f], [1]));
    }
}
