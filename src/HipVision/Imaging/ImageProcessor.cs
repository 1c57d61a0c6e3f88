namespace HipVision.Imaging;

/// <summary>
/// Turns an <see cref="RgbImage"/> into model input exactly as the HF 4.38 image processor described by a
/// <see cref="PreprocessorConfig"/> does (<c>processor(images=image, return_tensors="np").pixel_values[0]</c>).
/// </summary>
/// <remarks>
/// Pipeline, on the uint8 image:
/// <list type="number">
/// <item>resize with Pillow (<see cref="PilResize"/>) to size, or by the shortest-edge rule;</item>
/// <item>center crop: top = (H − ch) // 2, left = (W − cw) // 2 (floor division); where the crop is larger
///   than the image, HF first pads with zeros to max(size, crop), image placed at (crop − size) // 2;</item>
/// <item>rescale: float32(u8 · factor), the product in double; EfficientNet's rescale_offset then subtracts 1 in float32;</item>
/// <item>normalize in float32: (x − float32(mean)) / float32(std); EfficientNet's include_top then x / float32(std) again;</item>
/// <item>HWC → CHW.</item>
/// </list>
/// Steps 3-4 depend only on the byte value and channel, so they are tabulated once per processor (3 × 256
/// floats) and applied by lookup, which gives the same bits as computing them per pixel.
/// </remarks>
public sealed class ImageProcessor
{
    readonly float[][] _lookup;

    /// <summary>Creates a processor for <paramref name="config"/>.</summary>
    public ImageProcessor(PreprocessorConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.ImageMean.Count != 3 || config.ImageStd.Count != 3)
            throw new ArgumentException("image_mean and image_std need one value per RGB channel", nameof(config));
        if (config.DoResize && config.Size is null)
            throw new ArgumentException("do_resize needs a size", nameof(config));
        if (config.DoCenterCrop && config.CropSize is not { IsExact: true })
            throw new ArgumentException("do_center_crop needs a crop_size with height and width", nameof(config));
        Config = config;
        _lookup = [ChannelLookup(config, 0), ChannelLookup(config, 1), ChannelLookup(config, 2)];
    }

    /// <summary>The configuration this processor follows.</summary>
    public PreprocessorConfig Config { get; }

    /// <summary>
    /// True when every input gives the same output size (a center crop, or an exact resize); otherwise use
    /// <see cref="OutputSizeFor"/>.
    /// </summary>
    public bool HasFixedOutputSize => Config.DoCenterCrop || (Config.DoResize && Config.Size.IsExact);

    /// <summary>Height of the output for every input; throws when <see cref="HasFixedOutputSize"/> is false.</summary>
    public int OutputHeight => FixedOutputSize().Height;

    /// <summary>Width of the output for every input; throws when <see cref="HasFixedOutputSize"/> is false.</summary>
    public int OutputWidth => FixedOutputSize().Width;

    /// <summary>The (height, width) of the output for an input of <paramref name="width"/> × <paramref name="height"/>.</summary>
    /// <exception cref="HipVisionException">The resize (shortest_edge of a very elongated image) would exceed <see cref="ImageLoader.DefaultMaxPixels"/>.</exception>
    public (int Height, int Width) OutputSizeFor(int width, int height)
    {
        if (Config.DoCenterCrop)
        {
            var (ch, cw) = (Config.CropSize!.Height!.Value, Config.CropSize.Width!.Value);
            if ((long)ch * cw > ImageLoader.DefaultMaxPixels)
                throw new HipVisionException(
                    $"{Config.ImageProcessorType}: crop_size {Config.CropSize} is {(long)ch * cw} pixels, more than the {ImageLoader.DefaultMaxPixels}-pixel limit");
            return (ch, cw);
        }
        return Config.DoResize ? ResizeTarget(width, height) : (height, width);
    }

    (int Height, int Width) ResizeTarget(int width, int height)
    {
        var (h, w) = Config.Size.ResizeTarget(width, height);
        // shortest_edge keeps the aspect ratio, so a 1×100000 image with shortest_edge 256 would become 256×25.6M.
        if (h < 1 || w < 1 || (long)h * w > ImageLoader.DefaultMaxPixels)
            throw new HipVisionException(
                $"{Config.ImageProcessorType}: resizing a {width}x{height} image to size {Config.Size} gives {w}x{h}, more than the {ImageLoader.DefaultMaxPixels}-pixel limit");
        return (h, w);
    }

    /// <summary>Preprocesses one image into a new float32 array of shape [3, H, W] (CHW).</summary>
    public float[] Preprocess(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (h, w) = OutputSizeFor(image.Width, image.Height);
        var result = new float[3 * h * w];
        Preprocess(image, result);
        return result;
    }

    /// <summary>
    /// Preprocesses one image into <paramref name="destination"/>, which must hold exactly 3 × H × W floats
    /// (CHW), e.g. one slot of a batch tensor.
    /// </summary>
    public void Preprocess(RgbImage image, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        var p = PlanFor(image.Width, image.Height);
        if (destination.Length != 3 * p.OutH * p.OutW)
            throw new ArgumentException($"destination holds {destination.Length} floats, the [3,{p.OutH},{p.OutW}] output needs {3 * p.OutH * p.OutW}", nameof(destination));
        var resized = Config.DoResize ? PilResize.Resize(image, p.ResizeW, p.ResizeH, Config.Resample) : image;
        WriteChw(resized, p.Top, p.Left, p.OutH, p.OutW, destination);
    }

    /// <summary>
    /// The geometry of one image's preprocessing: the resize target (the image's own size without a resize), the crop's top-left
    /// in the resized image (negative: zero padding first) and the output size. What hv_preprocess takes on the device.
    /// </summary>
    internal (int ResizeH, int ResizeW, int Top, int Left, int OutH, int OutW) PlanFor(int width, int height)
    {
        var (rh, rw) = Config.DoResize ? ResizeTarget(width, height) : (height, width);
        var (outH, outW) = OutputSizeFor(width, height);
        return (rh, rw, CropOffset(rh, outH, "height"), CropOffset(rw, outW, "width"), outH, outW);
    }

    /// <summary>The value each byte of each channel becomes (rescale, normalize), [3 × 256] channel-major: hv_preprocess's table.</summary>
    internal float[] LookupTable() => [.. _lookup[0], .. _lookup[1], .. _lookup[2]];

    (int Height, int Width) FixedOutputSize()
    {
        if (!HasFixedOutputSize)
            throw new InvalidOperationException($"{Config.ImageProcessorType} with size {Config.Size} and no center crop has an output size that depends on the image; use OutputSizeFor");
        return OutputSizeFor(1, 1);
    }

    /// <summary>
    /// Source offset of the crop along one axis (negative: the output starts with zero padding). HF's
    /// center_crop returns one row or column fewer than asked when the padding (crop − size) is odd, so
    /// that case is refused rather than silently differing from HF in shape.
    /// </summary>
    static int CropOffset(int size, int crop, string axis)
    {
        if (crop <= size) return (size - crop) / 2;
        if ((crop - size) % 2 != 0)
            throw new HipVisionException(
                $"center crop to {axis} {crop} of a {axis} {size} image: HF 4.38 pads and then returns {crop - 1} instead of {crop} when the difference is odd; use a crop that fits or differs by an even amount");
        return -((crop - size) / 2);
    }

    void WriteChw(RgbImage image, int top, int left, int outH, int outW, Span<float> destination)
    {
        var src = image.Pixels;
        int plane = outH * outW;
        for (int c = 0; c < 3; c++)
        {
            var table = _lookup[c];
            var dst = destination.Slice(c * plane, plane);
            for (int y = 0; y < outH; y++)
            {
                int sy = y + top;
                bool rowInside = sy >= 0 && sy < image.Height;
                for (int x = 0; x < outW; x++)
                {
                    int sx = x + left;
                    // Padding is uint8 zero in HF, so it goes through rescale/normalize like a black pixel.
                    byte v = rowInside && sx >= 0 && sx < image.Width ? src[(sy * image.Width + sx) * 3 + c] : (byte)0;
                    dst[y * outW + x] = table[v];
                }
            }
        }
    }

    static float[] ChannelLookup(PreprocessorConfig config, int channel)
    {
        var table = new float[256];
        float mean = (float)config.ImageMean[channel], std = (float)config.ImageStd[channel];
        for (int v = 0; v < 256; v++)
        {
            float x = v;
            if (config.DoRescale)
            {
                x = (float)(v * config.RescaleFactor);
                if (config.RescaleOffset) x -= 1f;
            }
            if (config.DoNormalize) x = (x - mean) / std;
            if (config.IncludeTop) x = (x - 0f) / std;
            table[v] = x;
        }
        return table;
    }
}
