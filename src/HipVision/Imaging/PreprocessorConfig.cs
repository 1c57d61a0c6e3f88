namespace HipVision.Imaging;

/// <summary>
/// A Hugging Face <c>preprocessor_config.json</c> for one of the four supported image processors of
/// transformers 4.38 (<c>ViTImageProcessor</c>, <c>BeitImageProcessor</c>, <c>MobileNetV1ImageProcessor</c>,
/// <c>EfficientNetImageProcessor</c>), keys mirrored with HF's names. Keys a class does not use are kept at
/// their neutral value (ViT never center-crops; only EfficientNet has <c>rescale_offset</c> and <c>include_top</c>),
/// so <see cref="ImageProcessor"/> can follow the fields without knowing the class.
/// </summary>
public sealed record PreprocessorConfig
{
    /// <summary>The 4.38 <c>IMAGENET_STANDARD_MEAN</c> / <c>IMAGENET_STANDARD_STD</c> (both 0.5 per channel).</summary>
    static readonly double[] StandardHalf = [0.5, 0.5, 0.5];

    /// <summary>HF class name, e.g. <c>ViTImageProcessor</c> (<c>image_processor_type</c>).</summary>
    public required string ImageProcessorType { get; init; }

    /// <summary><c>do_resize</c>: resize with Pillow before anything else.</summary>
    public bool DoResize { get; init; } = true;

    /// <summary><c>size</c>: exact height/width, or shortest_edge (MobileNetV1 only).</summary>
    public required SizeDict Size { get; init; }

    /// <summary><c>resample</c>: the Pillow filter of the resize.</summary>
    public PilResample Resample { get; init; } = PilResample.Bilinear;

    /// <summary><c>do_center_crop</c>: crop (zero-padding when too small) to <see cref="CropSize"/> after resizing.</summary>
    public bool DoCenterCrop { get; init; }

    /// <summary><c>crop_size</c>: height/width of the center crop (null for ViT, which has none).</summary>
    public SizeDict? CropSize { get; init; }

    /// <summary><c>do_rescale</c>: multiply the uint8 pixels by <see cref="RescaleFactor"/>.</summary>
    public bool DoRescale { get; init; } = true;

    /// <summary><c>rescale_factor</c>, 1/255 by default.</summary>
    public double RescaleFactor { get; init; } = 1.0 / 255;

    /// <summary><c>rescale_offset</c> (EfficientNet): subtract 1 after rescaling.</summary>
    public bool RescaleOffset { get; init; }

    /// <summary><c>do_normalize</c>: (x − mean) / std per channel.</summary>
    public bool DoNormalize { get; init; } = true;

    /// <summary><c>image_mean</c>, one value per RGB channel.</summary>
    public IReadOnlyList<double> ImageMean { get; init; } = StandardHalf;

    /// <summary><c>image_std</c>, one value per RGB channel.</summary>
    public IReadOnlyList<double> ImageStd { get; init; } = StandardHalf;

    /// <summary><c>include_top</c> (EfficientNet): divide by std a second time, a quirk of HF's processor.</summary>
    public bool IncludeTop { get; init; }

    /// <summary>Reads and validates a <c>preprocessor_config.json</c>; errors name <paramref name="path"/>.</summary>
    public static PreprocessorConfig Load(string path) => PreprocessorConfigParser.Load(path);

    /// <summary>Parses <c>preprocessor_config.json</c> text; <paramref name="source"/> names it in errors.</summary>
    public static PreprocessorConfig Parse(string json, string source) => PreprocessorConfigParser.Parse(json, source);

    /// <summary>
    /// The constructor defaults of an HF 4.38 processor class (what a config with only
    /// <c>image_processor_type</c> means); throws for a class HipVision does not support.
    /// </summary>
    public static PreprocessorConfig Defaults(string imageProcessorType) => imageProcessorType switch
    {
        "ViTImageProcessor" => new() { ImageProcessorType = imageProcessorType, Size = SizeDict.Exact(224, 224) },
        "BeitImageProcessor" => new()
        {
            ImageProcessorType = imageProcessorType,
            Size = SizeDict.Exact(256, 256),
            Resample = PilResample.Bicubic,
            DoCenterCrop = true,
            CropSize = SizeDict.Exact(224, 224),
        },
        "MobileNetV1ImageProcessor" => new()
        {
            ImageProcessorType = imageProcessorType,
            Size = SizeDict.Shortest(256),
            DoCenterCrop = true,
            CropSize = SizeDict.Exact(224, 224),
        },
        "EfficientNetImageProcessor" => new()
        {
            ImageProcessorType = imageProcessorType,
            Size = SizeDict.Exact(346, 346),
            Resample = PilResample.Nearest,
            CropSize = SizeDict.Exact(289, 289),
            IncludeTop = true,
        },
        _ => throw new HipVisionException(
            $"image processor type '{imageProcessorType}' is not supported (expected ViTImageProcessor, BeitImageProcessor, MobileNetV1ImageProcessor or EfficientNetImageProcessor)"),
    };

    /// <summary>Hub google/vit-base-patch16-224: 224×224 bilinear, no crop, mean/std 0.5.</summary>
    public static PreprocessorConfig VitBasePatch16_224 { get; } = Defaults("ViTImageProcessor");

    /// <summary>Hub microsoft/beit-base-patch16-224: 224×224 bilinear, no crop, mean/std 0.5.</summary>
    public static PreprocessorConfig BeitBasePatch16_224 { get; } = Defaults("BeitImageProcessor") with
    {
        Size = SizeDict.Exact(224, 224),
        Resample = PilResample.Bilinear,
        DoCenterCrop = false,
    };

    /// <summary>Hub google/mobilenet_v1_1.0_224: shortest edge 256 bilinear, center crop 224, mean/std 0.5.</summary>
    public static PreprocessorConfig MobileNetV1_1_0_224 { get; } = Defaults("MobileNetV1ImageProcessor");

    /// <summary>
    /// Hub google/efficientnet-b7: 600×600 nearest, no crop, ImageNet mean, the hub's std, include_top
    /// (so pixels are divided by std twice).
    /// </summary>
    public static PreprocessorConfig EfficientNetB7 { get; } = Defaults("EfficientNetImageProcessor") with
    {
        Size = SizeDict.Exact(600, 600),
        ImageMean = [0.485, 0.456, 0.406],
        ImageStd = [0.47853944, 0.4732864, 0.47434163],
    };
}
