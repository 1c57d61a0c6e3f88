using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using HipVision.Imaging;
using HipVision.Tests.Weights;

namespace HipVision.Tests.Imaging;

/// <summary>
/// Decompression bombs and absurd sizes: refused from the header, before decoding, without allocating the
/// pixels; and preprocessing configs whose sizes would allocate without bound.
/// </summary>
public class ImageBombTests
{
    /// <summary>
    /// A valid gray PNG of <paramref name="width"/> × <paramref name="height"/> whose pixels are all zero: a few
    /// hundred KB of deflate for over a hundred megapixels. Built row by row, so the test never holds the pixels.
    /// </summary>
    public static byte[] ZeroPng(int width, int height)
    {
        var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[width + 1]; // filter byte 0, then zeros
            for (int y = 0; y < height; y++) z.Write(row);
        }
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth; colour type 0 (gray)
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", idat.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> u32 = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(u32, data.Length);
        png.Write(u32);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(u32, Crc32.Compute(typed));
        png.Write(u32);
    }

    /// <summary>A BMP header (54 bytes) declaring any size, with no pixel data behind it.</summary>
    static byte[] BmpHeader(int width, int height)
    {
        var b = new byte[54];
        b[0] = (byte)'B';
        b[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(2), 54);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(28), 24);
        return b;
    }

    static string Refused(byte[] bytes, string name, long maxPixels = ImageLoader.DefaultMaxPixels)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<HipVisionException>(() => ImageLoader.Load(bytes, name, maxPixels));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        TestContext.Out.WriteLine($"{e!.Message} ({allocated} bytes allocated, {clock.ElapsedMilliseconds} ms)");
        Assert.That(e.Message, Does.StartWith(name + ": ").And.Not.Contain('\n'));
        Assert.That(allocated, Is.LessThan(bytes.Length + (1 << 20)), "refused before the pixel buffer is allocated");
        return e.Message;
    }

    [Test]
    public void Load_pngBombAbove100Megapixels_refusedFromTheHeader()
    {
        var bomb = ZeroPng(12_000, 9_000); // 108 MP of zeros
        TestContext.Out.WriteLine($"bomb: {bomb.Length} bytes");
        Assert.That(bomb.Length, Is.LessThan(1 << 20));
        Assert.That(Refused(bomb, "bomb.png"),
            Does.Contain("Png header declares 12000x9000 = 108000000 pixels, more than the 100000000-pixel limit"));
    }

    [Test]
    public void Load_pngHeaderOfMaximalSize_refusedFromTheHeader()
    {
        // PNG's own ceiling (2^31−1 on each side): 4.6e18 pixels, from a file of a few hundred bytes.
        var png = ZeroPng(1, 1);
        var ihdr = png.AsSpan(16, 8);
        BinaryPrimitives.WriteInt32BigEndian(ihdr, int.MaxValue);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], int.MaxValue);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32.Compute(png.AsSpan(12, 17)));
        var message = Assert.Throws<HipVisionException>(() => ImageLoader.Load(png, "huge.png"))!.Message;
        TestContext.Out.WriteLine(message);
        Assert.That(message, Does.StartWith("huge.png: "));
    }

    [Test]
    public void Load_bmpHeaderDeclaringGigapixels_refusedFromTheHeader() =>
        Assert.That(Refused(BmpHeader(60_000, 60_000), "huge.bmp"), Does.Contain("60000x60000 = 3600000000 pixels"));

    [Test]
    public void Load_customPixelLimit_appliesBeforeDecoding()
    {
        var png = ZeroPng(64, 64);
        Assert.That(ImageLoader.Load(png, "ok.png", maxPixels: 4096).Width, Is.EqualTo(64));
        Assert.That(Refused(png, "small-limit.png", maxPixels: 4095), Does.Contain("4096 pixels, more than the 4095-pixel limit"));
    }

    [Test]
    public void Load_imageStreamAboveTheFileLimit_refusedWhileReading()
    {
        var e = Assert.Throws<HipVisionException>(() => ImageLoader.Load(new EndlessStream(), "endless"));
        Assert.That(e!.Message, Does.StartWith("endless: more than the 1073741824-byte limit"));
    }

    /// <summary>A stream of zeros that never ends (a pipe from a hostile sender).</summary>
    sealed class EndlessStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) { Array.Clear(buffer, offset, count); return count; }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Test]
    public void Preprocess_shortestEdgeOfAVeryLongImage_refusedBeforeResizing()
    {
        var config = PreprocessorConfig.Parse("""{"image_processor_type": "MobileNetV1ImageProcessor", "size": {"shortest_edge": 16384}, "do_center_crop": false}""", "p.json");
        var processor = new ImageProcessor(config);
        var thin = ImageLoader.Load(TestImageFiles.Bmp(1, 2000, new byte[3 * 2000]), "thin.bmp");
        var e = Assert.Throws<HipVisionException>(() => processor.Preprocess(thin));
        TestContext.Out.WriteLine(e!.Message);
        Assert.That(e.Message, Does.Contain("resizing a 1x2000 image").And.Contain("pixel limit"));
    }

    [Test]
    public void Preprocess_cropAbove100Megapixels_refusedBeforeAllocating()
    {
        var config = PreprocessorConfig.Parse("""{"image_processor_type": "BeitImageProcessor", "crop_size": 16000, "size": 224}""", "p.json");
        var e = Assert.Throws<HipVisionException>(() => new ImageProcessor(config).Preprocess(ImageLoader.Load(TestImageFiles.Bmp(2, 2, new byte[12]), "t.bmp")));
        Assert.That(e!.Message, Does.Contain("crop_size").And.Contain("256000000 pixels, more than the 100000000-pixel limit"));
    }

    [TestCase("""{"image_processor_type": "ViTImageProcessor", "size": {"height": 2000000000, "width": 2000000000}}""", "'size.height' must be an integer in 1..16384")]
    [TestCase("""{"image_processor_type": "BeitImageProcessor", "crop_size": 100000}""", "'crop_size' must be an integer in 1..16384")]
    [TestCase("""{"image_processor_type": "ViTImageProcessor", "image_mean": [0.5, 1e400, 0.5]}""", "'image_mean' must be a number or a list of 3 numbers")]
    [TestCase("""{"image_processor_type": "ViTImageProcessor", "rescale_factor": -1e999}""", "'rescale_factor' must be a number")]
    public void Parse_hostileSizesAndNumbers_typedError(string json, string expected)
    {
        var e = Assert.Throws<HipVisionException>(() => PreprocessorConfig.Parse(json, "p.json"));
        Assert.That(e!.Message, Does.StartWith("p.json: ").And.Contain(expected));
    }

    [Test]
    public void Parse_deeplyNestedJson_typedErrorNotAStackOverflow()
    {
        var json = """{"image_processor_type": "ViTImageProcessor", "x": """ + new string('[', 100_000) + new string(']', 100_000) + "}";
        var e = Assert.Throws<HipVisionException>(() => PreprocessorConfig.Parse(json, "deep.json"));
        Assert.That(e!.Message, Does.StartWith("deep.json: not valid JSON").And.Contain("depth"));
    }

    [Test]
    public void Load_preprocessorConfigAboveTheSizeLimit_refusedBeforeReading()
    {
        using var tmp = new TempDir();
        var path = tmp.File("preprocessor_config.json");
        using (var f = File.Create(path)) f.SetLength(65L << 20); // sparse: costs no disk
        var e = Assert.Throws<HipVisionException>(() => PreprocessorConfig.Load(path));
        Assert.That(e!.Message, Is.EqualTo($"{path}: 68157440 bytes, more than the 67108864-byte limit for a preprocessor_config.json"));
    }
}
