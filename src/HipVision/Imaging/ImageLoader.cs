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
    /// <summary>Loads the image file at <paramref name="path"/>.</summary>
    public static RgbImage Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Load(InputFile.ReadAllBytes(path), path);
    }

    /// <summary>Loads an image from the rest of <paramref name="stream"/>; <paramref name="sourceName"/> names it in errors.</summary>
    public static RgbImage Load(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        try
        {
            stream.CopyTo(buffer);
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ObjectDisposedException)
        {
            throw new HipVisionException($"{sourceName}: cannot read: {e.Message}", e);
        }
        return Load(buffer.ToArray(), sourceName);
    }

    /// <summary>Loads an image from encoded file bytes; <paramref name="sourceName"/> names it in errors.</summary>
    public static RgbImage Load(byte[] bytes, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        sourceName ??= "image";
        if (bytes.Length == 0)
            throw new HipVisionException($"{sourceName}: empty file, not an image");
        var (image, orientation) = Decode(bytes, sourceName);
        return ExifOrientation.Apply(image, orientation);
    }

    static (RgbImage Image, int Orientation) Decode(byte[] bytes, string sourceName)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        if (codec == null)
            throw CannotDecode(sourceName);
        var format = codec.EncodedFormat;
        if (format is not (SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Png or SKEncodedImageFormat.Bmp
            or SKEncodedImageFormat.Gif or SKEncodedImageFormat.Webp))
            throw new HipVisionException($"{sourceName}: unsupported image format {format} (expected JPEG/PNG/BMP/GIF/WebP)");
        int width = codec.Info.Width, height = codec.Info.Height;
        if (width < 1 || height < 1 || (long)width * height > Array.MaxLength / 4)
            throw new HipVisionException($"{sourceName}: unsupported image size {width}x{height}");

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
