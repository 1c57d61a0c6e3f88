using System.Runtime.InteropServices;
using HipVision.IO;
using SkiaSharp;

namespace HipVision.Imaging;

/// <summary>
/// Loads an image file the way Hugging Face's <c>transformers.image_utils.load_image</c> does with Pillow 9.4:
/// <c>PIL.Image.open</c> → <c>ImageOps.exif_transpose</c> → <c>convert("RGB")</c>.
/// </summary>
/// <remarks>
/// Decoding goes through Skia's codecs (libjpeg-turbo with the islow IDCT and fancy upsampling, libpng,
/// libwebp, Skia's GIF and BMP readers). To match Pillow's bytes:
/// <list type="bullet">
/// <item>no colour management: decode with a null colour space, because Pillow ignores ICC profiles and gAMA;</item>
/// <item>unpremultiplied alpha, then alpha dropped: <c>convert("RGB")</c> discards alpha without compositing
///   onto a background, so the stored colour of a transparent pixel is what HF sees;</item>
/// <item>gray and gray+alpha come out as R = G = B; palettes are expanded;</item>
/// <item>the EXIF orientation (1-8) is applied after decoding, as <c>exif_transpose</c> does (for PNG read from
///   the eXIf chunk here, because Skia's PNG codec does not report it); GIF gives its first frame.</item>
/// </list>
/// Every failure is a <see cref="HipVisionException"/> whose one-line message names the source.
/// </remarks>
public static class ImageLoader
{
    /// <summary>
    /// The default pixel limit (100 MP, a little above Pillow's 89 MP decompression-bomb warning): an image whose
    /// header declares more is refused before a byte of it is decoded or a pixel buffer allocated.
    /// </summary>
    public const long DefaultMaxPixels = 100_000_000;

    /// <summary>The largest image file read, in bytes (a 100 MP JPEG is tens of MB; an uncompressed 100 MP BMP 400 MB).</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>Loads the image file at <paramref name="path"/>, refusing one above <paramref name="maxPixels"/> pixels.</summary>
    public static RgbImage Load(string path, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Load(InputFile.ReadAllBytes(path, MaxFileBytes, "an image"), path, maxPixels);
    }

    /// <summary>Loads an image from the rest of <paramref name="stream"/>; <paramref name="sourceName"/> names it in errors.</summary>
    public static RgbImage Load(Stream stream, string sourceName, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        try
        {
            var chunk = new byte[1 << 16];
            int n;
            while ((n = stream.Read(chunk)) > 0)
            {
                if (buffer.Length + n > MaxFileBytes)
                    throw new HipVisionException($"{sourceName}: more than the {MaxFileBytes}-byte limit for an image");
                buffer.Write(chunk, 0, n);
            }
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ObjectDisposedException)
        {
            throw new HipVisionException($"{sourceName}: cannot read: {e.Message}", e);
        }
        return Load(buffer.ToArray(), sourceName, maxPixels);
    }

    /// <summary>Loads an image from encoded file bytes; <paramref name="sourceName"/> names it in errors.</summary>
    /// <param name="bytes">The encoded file.</param>
    /// <param name="sourceName">What errors call the image.</param>
    /// <param name="maxPixels">Most pixels (width × height, as the header declares them) accepted; checked before decoding.</param>
    public static RgbImage Load(byte[] bytes, string sourceName, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        sourceName ??= "image";
        if (bytes.Length == 0)
            throw new HipVisionException($"{sourceName}: empty file, not an image");
        var (image, orientation) = Decode(bytes, sourceName, Math.Min(maxPixels, Array.MaxLength / 4));
        return ExifOrientation.Apply(image, orientation);
    }

    static (RgbImage Image, int Orientation) Decode(byte[] bytes, string sourceName, long maxPixels)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        if (codec == null)
            throw CannotDecode(sourceName);
        var format = codec.EncodedFormat;
        if (format is not (SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Png or SKEncodedImageFormat.Bmp
            or SKEncodedImageFormat.Gif or SKEncodedImageFormat.Webp))
            throw new HipVisionException($"{sourceName}: unsupported image format {format} (expected JPEG/PNG/BMP/GIF/WebP)");
        // The codec has read only the header so far: refuse a decompression bomb before decoding or allocating.
        int width = codec.Info.Width, height = codec.Info.Height;
        if (width < 1 || height < 1)
            throw new HipVisionException($"{sourceName}: unsupported image size {width}x{height}");
        if ((long)width * height > maxPixels)
            throw new HipVisionException(
                $"{sourceName}: {format} header declares {width}x{height} = {(long)width * height} pixels, more than the {maxPixels}-pixel limit (a decompression bomb?)");

        // Null colour space: Skia then skips colour conversion entirely (Pillow has none either).
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[(long)width * height * 4];
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        SKCodecResult result;
        try
        {
            result = codec.GetPixels(info, handle.AddrOfPinnedObject());
        }
        finally
        {
            handle.Free();
        }
        if (result == SKCodecResult.IncompleteInput || result == SKCodecResult.ErrorInInput)
            throw new HipVisionException($"{sourceName}: image data is truncated or corrupt ({format})");
        if (result != SKCodecResult.Success)
            throw new HipVisionException($"{sourceName}: cannot decode {format} image ({result})");
        int orientation = (int)codec.EncodedOrigin;
        if (format == SKEncodedImageFormat.Png && orientation == 1)
            orientation = PngExif.Orientation(bytes) ?? 1;
        return (RgbImage.FromHwc(rgba, height, width, 4), orientation);
    }

    static HipVisionException CannotDecode(string sourceName) =>
        new($"{sourceName}: cannot decode image (not a JPEG/PNG/BMP/GIF/WebP file, or corrupt)");
}
