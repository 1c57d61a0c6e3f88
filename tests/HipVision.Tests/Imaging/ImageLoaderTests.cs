using HipVision.Imaging;
using SkiaSharp;

namespace HipVision.Tests.Imaging;

/// <summary>ImageLoader against Pillow 9.4 + HF load_image: fixture decodes, EXIF, alpha, palettes, errors.</summary>
public class ImageLoaderTests
{
    [TestCase("rocket")]
    [TestCase("chelsea")]
    public void Load_rgbFixture_matchesPillowDecode(string stem)
    {
        var image = ImageLoader.Load(ImagingFixtures.ImageFile(stem));
        var want = ImagingFixtures.Npy(stem, "decoded");
        Assert.That(new[] { image.Height, image.Width, 3 }, Is.EqualTo(want.Shape));
        ImagingFixtures.AssertBytesEqual(want.ToUInt8(stem), image.Pixels, stem);
    }

    [Test]
    public void Load_grayPng_replicatesGrayLikeConvertRgb()
    {
        var image = ImageLoader.Load(ImagingFixtures.ImageFile("camera"));
        var want = ImagingFixtures.Npy("camera", "decoded_rgb");
        Assert.That(new[] { image.Height, image.Width, 3 }, Is.EqualTo(want.Shape));
        ImagingFixtures.AssertBytesEqual(want.ToUInt8("camera"), image.Pixels, "camera");
    }

    [Test]
    public void Load_streamAndBytes_equalPathOverload()
    {
        var path = ImagingFixtures.ImageFile("chelsea");
        var fromPath = ImageLoader.Load(path);
        using var stream = File.OpenRead(path);
        Assert.That(ImageLoader.Load(stream, "chelsea.png").Pixels, Is.EqualTo(fromPath.Pixels));
        Assert.That(ImageLoader.Load(File.ReadAllBytes(path), "chelsea.png").Pixels, Is.EqualTo(fromPath.Pixels));
    }

    [TestCase(3)]
    [TestCase(6)]
    [TestCase(8)]
    public void Load_jpegWithExifOrientation_isTurnedUpright(int orientation)
    {
        const int w = 16, h = 8;
        var plain = EncodeJpeg(w, h);
        var stored = ImageLoader.Load(plain, "plain.jpg");
        var turned = ImageLoader.Load(TestImageFiles.WithExifOrientation(plain, orientation), $"exif{orientation}.jpg");

        bool swap = orientation >= 5;
        Assert.That((turned.Width, turned.Height), Is.EqualTo(swap ? (h, w) : (w, h)));
        for (int y = 0; y < turned.Height; y++)
            for (int x = 0; x < turned.Width; x++)
            {
                // 3: rotate 180°; 6: 90° clockwise; 8: 90° counter-clockwise (Pillow ROTATE_180/270/90).
                var (sx, sy) = orientation switch { 3 => (w - 1 - x, h - 1 - y), 6 => (y, h - 1 - x), _ => (w - 1 - y, x) };
                for (int c = 0; c < 3; c++)
                    Assert.That(turned.Pixels[(y * turned.Width + x) * 3 + c], Is.EqualTo(stored.Pixels[(sy * w + sx) * 3 + c]),
                        $"orientation {orientation}, pixel ({x},{y}) channel {c}");
            }
    }

    [Test]
    public void Load_pngWithExifChunk_isTurnedUpright()
    {
        // Pillow reads PNG eXIf chunks too, so exif_transpose applies to PNGs as well.
        byte[] rgb = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6]; // 3 wide, 2 high
        var image = ImageLoader.Load(TestImageFiles.Png(3, 2, 2, rgb, exifOrientation: 6), "exif6.png");
        // 90° clockwise: 2 wide, 3 high; top row reads the left column bottom-up.
        Assert.That((image.Width, image.Height), Is.EqualTo((2, 3)));
        Assert.That(image.Pixels.Where((_, i) => i % 3 == 0), Is.EqualTo(new byte[] { 4, 1, 5, 2, 6, 3 }));
    }

    [Test]
    public void Load_rgbaPng_dropsAlphaWithoutCompositing()
    {
        byte[] rgba = [200, 100, 50, 0, 10, 20, 30, 128, 255, 255, 255, 255, 7, 8, 9, 1];
        var image = ImageLoader.Load(TestImageFiles.Png(2, 2, 6, rgba), "rgba.png");
        Assert.That(image.Pixels, Is.EqualTo(new byte[] { 200, 100, 50, 10, 20, 30, 255, 255, 255, 7, 8, 9 }));
    }

    [Test]
    public void Load_grayAlphaPng_replicatesGrayAndDropsAlpha()
    {
        byte[] la = [40, 0, 90, 255, 200, 17];
        var image = ImageLoader.Load(TestImageFiles.Png(3, 1, 4, la), "la.png");
        Assert.That(image.Pixels, Is.EqualTo(new byte[] { 40, 40, 40, 90, 90, 90, 200, 200, 200 }));
    }

    [Test]
    public void Load_palettePng_expandsPaletteIgnoringTransparency()
    {
        byte[] palette = [255, 0, 0, 0, 128, 0, 1, 2, 250];
        byte[] indices = [0, 1, 2, 1, 0, 2];
        var image = ImageLoader.Load(TestImageFiles.Png(3, 2, 3, indices, palette, transparency: [255, 0]), "palette.png");
        var want = indices.SelectMany(i => palette.Skip(i * 3).Take(3)).ToArray();
        Assert.That(image.Pixels, Is.EqualTo(want));
    }

    [Test]
    public void Load_bmp_decodesExactly()
    {
        byte[] rgb = [1, 2, 3, 250, 251, 252, 9, 8, 7, 100, 0, 200, 33, 66, 99, 0, 0, 0];
        var image = ImageLoader.Load(TestImageFiles.Bmp(3, 2, rgb), "tiny.bmp");
        Assert.That(image.Pixels, Is.EqualTo(rgb));
    }

    [Test]
    public void Load_losslessWebp_decodesExactly()
    {
        var source = ImageLoader.Load(ImagingFixtures.ImageFile("chelsea"));
        using var bitmap = ToBitmap(source);
        using var data = bitmap.Encode(SKEncodedImageFormat.Webp, 100);
        // Skia writes lossless WebP at quality 100, so the decode must give back the source bytes.
        var image = ImageLoader.Load(data.ToArray(), "chelsea.webp");
        ImagingFixtures.AssertBytesEqual(source.Pixels, image.Pixels, "webp");
    }

    [Test]
    public void Load_emptyFile_throwsNamingSource()
    {
        var path = Path.Combine(Path.GetTempPath(), $"hv-empty-{Guid.NewGuid():N}.jpg");
        File.WriteAllBytes(path, []);
        try
        {
            var e = Assert.Throws<HipVisionException>(() => ImageLoader.Load(path));
            Assert.That(e!.Message, Does.StartWith(path).And.Contain("empty"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Load_missingFile_throwsNamingSource()
    {
        var path = Path.Combine(Path.GetTempPath(), $"hv-missing-{Guid.NewGuid():N}.png");
        var e = Assert.Throws<HipVisionException>(() => ImageLoader.Load(path));
        Assert.That(e!.Message, Does.StartWith(path).And.Contain("not found"));
    }

    [Test]
    public void Load_corruptBytes_throwsNamingSource()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var garbage = new byte[4096];
        new Random(seed).NextBytes(garbage);
        var e = Assert.Throws<HipVisionException>(() => ImageLoader.Load(garbage, "cat.jpg"));
        Assert.That(e!.Message, Is.EqualTo("cat.jpg: cannot decode image (not a JPEG/PNG/BMP/GIF/WebP file, or corrupt)"));
    }

    [TestCase("chelsea")]
    [TestCase("rocket")]
    public void Load_truncatedFile_throwsNamingSource(string stem)
    {
        var bytes = File.ReadAllBytes(ImagingFixtures.ImageFile(stem));
        var e = Assert.Throws<HipVisionException>(() => ImageLoader.Load(bytes[..(bytes.Length / 2)], "half." + stem));
        Assert.That(e!.Message, Does.StartWith("half." + stem + ": "));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    static byte[] EncodeJpeg(int w, int h)
    {
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = (y * w + x) * 3;
                rgb[i] = (byte)(x * 16);
                rgb[i + 1] = (byte)(y * 32);
                rgb[i + 2] = (byte)(x < w / 2 ? 240 : 20);
            }
        using var bitmap = ToBitmap(new RgbImage(w, h, rgb));
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 100);
        return data.ToArray();
    }

    static SKBitmap ToBitmap(RgbImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var rgba = new byte[image.Width * image.Height * 4];
        for (int i = 0, j = 0; i < rgba.Length; i += 4, j += 3)
        {
            rgba[i] = image.Pixels[j];
            rgba[i + 1] = image.Pixels[j + 1];
            rgba[i + 2] = image.Pixels[j + 2];
            rgba[i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return bitmap;
    }
}
