using HipVision.IO;

namespace HipVision.Imaging;

/// <summary>
/// An 8-bit RGB image in height-width-channel order, the form Hugging Face image processors receive after
/// <c>load_image</c> (<c>PIL.Image.convert("RGB")</c>): every pipeline step starts from these bytes.
/// </summary>
public sealed class RgbImage
{
    /// <summary>Wraps existing pixels (not copied); <paramref name="pixels"/> must hold height × width × 3 bytes.</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be at least 1x1");
        if (pixels.LongLength != 3L * width * height)
            throw new ArgumentException($"a {width}x{height} RGB image needs {3L * width * height} bytes, got {pixels.LongLength}", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Pixel bytes, row-major, R G B interleaved (HWC); length Height × Width × 3.</summary>
    public byte[] Pixels { get; }

    /// <summary>
    /// Builds an RGB image from decoded uint8 HWC data the way PIL's <c>convert("RGB")</c> does:
    /// 1 channel (L) is replicated to R = G = B, 3 channels are copied, 4 channels (RGBA) lose their alpha
    /// without compositing (LA data should be passed as 1-channel gray).
    /// </summary>
    public static RgbImage FromHwc(ReadOnlySpan<byte> data, int height, int width, int channels)
    {
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be at least 1x1");
        if (channels is not (1 or 3 or 4))
            throw new ArgumentOutOfRangeException(nameof(channels), $"expected 1, 3 or 4 channels, got {channels}");
        long count = (long)width * height;
        if (data.Length != count * channels)
            throw new ArgumentException($"[{height},{width},{channels}] needs {count * channels} bytes, got {data.Length}", nameof(data));
        var rgb = new byte[count * 3];
        if (channels == 3)
        {
            data.CopyTo(rgb);
            return new RgbImage(width, height, rgb);
        }
        // A span cannot exceed int.MaxValue bytes, so int indices are safe here.
        int g = channels == 1 ? 0 : 1, b = channels == 1 ? 0 : 2;
        for (int i = 0, s = 0, d = 0; i < (int)count; i++, s += channels, d += 3)
        {
            rgb[d] = data[s];
            rgb[d + 1] = data[s + g];
            rgb[d + 2] = data[s + b];
        }
        return new RgbImage(width, height, rgb);
    }

    /// <summary>
    /// Builds an RGB image from a uint8 array of shape [H, W, C] (C = 1, 3 or 4) or [H, W] (gray), e.g. a
    /// decoded.npy fixture; <paramref name="source"/> names the array in errors.
    /// </summary>
    public static RgbImage FromArray(NpyArray array, string source)
    {
        ArgumentNullException.ThrowIfNull(array);
        var bytes = array.ToUInt8(source);
        var shape = array.Shape;
        int channels = shape.Length == 2 ? 1 : shape.Length == 3 ? shape[2] : 0;
        if (channels is not (1 or 3 or 4) || shape[0] < 1 || shape[1] < 1)
            throw new HipVisionException($"{source}: expected an image array [H,W] or [H,W,C] with C = 1, 3 or 4, found [{string.Join(",", shape)}]");
        return FromHwc(bytes, shape[0], shape[1], channels);
    }
}
