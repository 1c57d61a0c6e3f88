using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using HipVision.IO;
using HipVision.Tests.Weights;

namespace HipVision.Tests.IO;

/// <summary>Hostile .npy and .npy.gz files: one typed error naming the file, no untyped exception, no allocation beyond the data.</summary>
public class NpyHostileTests
{
    /// <summary>A .npy of format <paramref name="version"/> with the header text exactly as given (no padding) and <paramref name="data"/>.</summary>
    public static byte[] Npy(string header, byte[]? data = null, int version = 1, long? declaredLength = null)
    {
        var h = Encoding.Latin1.GetBytes(header);
        var bytes = new MemoryStream();
        bytes.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0]);
        Span<byte> len = stackalloc byte[4];
        if (version == 1) BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)(declaredLength ?? h.Length));
        else BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)(declaredLength ?? h.Length));
        bytes.Write(len[..(version == 1 ? 2 : 4)]);
        bytes.Write(h);
        bytes.Write(data ?? []);
        return bytes.ToArray();
    }

    static string Fails(byte[] bytes)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<HipVisionException>(() => NpyFile.Parse(bytes, "x.npy"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        TestContext.Out.WriteLine($"{e!.Message} ({allocated} bytes allocated)");
        Assert.That(e.Message, Does.StartWith("x.npy: ").And.Not.Contain('\n'));
        Assert.That(allocated, Is.LessThan(bytes.Length + (1 << 16)));
        return e.Message;
    }

    const string F4 = "{'descr': '<f4', 'fortran_order': False, ";

    [Test]
    public void Parse_wellFormed_roundTrips()
    {
        var a = NpyFile.Parse(Npy(F4 + "'shape': (2, 1), }\n", new byte[8]), "x.npy");
        Assert.That((a.Dtype, a.Shape), Is.EqualTo(("<f4", new[] { 2, 1 })));
        Assert.That(NpyFile.Parse(Npy("{'shape': (3L,), 'fortran_order': False, 'descr': '|u1'}", [1, 2, 3]), "x.npy").Shape, Is.EqualTo(new[] { 3 }));
        Assert.That(NpyFile.Parse(Npy(F4 + "'shape': (), }", new byte[4]), "x.npy").Shape, Is.Empty);
    }

    // Regression: (65536,)·4 wrapped the element count to 0 in 64 bits, so an empty data section "matched" it.
    [Test]
    public void Parse_shapeWhoseProductOverflows64Bits_typedError() =>
        Assert.That(Fails(Npy(F4 + "'shape': (65536, 65536, 65536, 65536), }")), Does.Contain("more than the 2147483591-byte limit"));

    [Test]
    public void Parse_shapeOfTerabytes_refusedBeforeAllocating() =>
        Assert.That(Fails(Npy(F4 + "'shape': (1000000, 1000000), }")), Does.Contain("needs 4000000000000 bytes of data, more than"));

    // Regression: a v2 header length above 2^31 threw OverflowException from a checked cast.
    [Test]
    public void Parse_v2HeaderLengthAbove2GiB_typedError() =>
        Assert.That(Fails(Npy("{}", version: 2, declaredLength: 0xFFFFFFF0)), Does.Contain("header of 4294967280 bytes is longer than the 1048576-byte limit"));

    [Test]
    public void Parse_headerLengthBeyondTheFile_typedError() =>
        Assert.That(Fails(Npy("{}", version: 1, declaredLength: 60000)), Does.Contain("header runs past the end of the file"));

    // Regression: a header with a key but no ',' or '}' after it reached Substring with a negative length.
    [TestCase("x,'descr':")]
    [TestCase("{'descr'")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (1,")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': )(, }")]
    [TestCase("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,), }")]
    [TestCase("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,), }")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}")]
    [TestCase("{'descr': '<f4', 'fortran_order': False}")]
    [TestCase("")]
    public void Parse_malformedHeader_typedError(string header) =>
        Assert.That(Fails(Npy(header, new byte[4])), Does.Contain(".npy header").Or.Contain("dtype"));

    [TestCase("<f-4")]
    [TestCase("<f99999999999")]
    [TestCase("<f0")]
    [TestCase("f4")]
    [TestCase(">f4")]
    public void Parse_badDtype_typedError(string descr) =>
        Assert.That(Fails(Npy($"{{'descr': '{descr}', 'fortran_order': False, 'shape': (1,), }}", new byte[4])), Does.Contain("dtype"));

    [Test]
    public void Parse_rankAbove64_typedError() =>
        Assert.That(Fails(Npy(F4 + "'shape': (" + string.Concat(Enumerable.Repeat("1, ", 65)) + "), }", new byte[4])), Does.Contain("more than 64 dimensions"));

    [Test]
    public void Parse_dataLongerThanTheShape_typedError() =>
        Assert.That(Fails(Npy(F4 + "'shape': (1,), }", new byte[8])), Does.Contain("needs 4 bytes of data, file has 8"));

    [Test]
    public void Read_gzipBomb_stopsOneByteAfterTheDeclaredData()
    {
        // A header promising 4 bytes, then 256 MiB of zeros that deflate to about 256 KB.
        using var tmp = new TempDir();
        var path = tmp.File("bomb.npy.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.SmallestSize))
        {
            gz.Write(Npy(F4 + "'shape': (1,), }"));
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) gz.Write(zeros);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<HipVisionException>(() => NpyFile.Read(path));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(4 << 20), "reads the promised 4 bytes and one more, not the bomb");
        Assert.That(e!.Message, Is.EqualTo($"{path}: shape [1] × 4 bytes needs 4 bytes of data, file has more than 4"));
    }

    [Test]
    public void Read_gzipTruncated_typedError()
    {
        using var tmp = new TempDir();
        var plain = Npy(F4 + "'shape': (1000,), }", new byte[4000]);
        var packed = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(plain);
        var path = tmp.File("cut.npy.gz");
        File.WriteAllBytes(path, packed.ToArray()[..^12]);
        var e = Assert.Throws<HipVisionException>(() => NpyFile.Read(path));
        TestContext.Out.WriteLine(e!.Message);
        Assert.That(e.Message, Does.StartWith(path + ": "));
    }

    [Test]
    public void Read_notGzip_typedError()
    {
        using var tmp = new TempDir();
        var path = tmp.File("plain.npy.gz");
        File.WriteAllBytes(path, Npy(F4 + "'shape': (1,), }", new byte[4]));
        var e = Assert.Throws<HipVisionException>(() => NpyFile.Read(path));
        Assert.That(e!.Message, Does.StartWith(path + ": corrupt gzip data"));
    }
}
