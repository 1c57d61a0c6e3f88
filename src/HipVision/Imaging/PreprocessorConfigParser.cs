using System.Text.Json;
using HipVision.IO;

namespace HipVision.Imaging;

/// <summary>
/// Reads <c>preprocessor_config.json</c> by hand with <see cref="JsonDocument"/> (the library is Native-AOT
/// compiled, so no reflection-based serializer). Missing or null keys keep the class defaults, as HF's
/// constructors do; sizes given as an int or [h, w] list are widened the way HF's <c>get_size_dict</c> does.
/// </summary>
internal static class PreprocessorConfigParser
{
    static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Largest size or crop_size side accepted; far above any processor's, low enough that H·W·3 fits one array.</summary>
    public const int MaxSide = 16384;

    public static PreprocessorConfig Load(string path)
    {
        using var doc = JsonLimits.Load(path, "a preprocessor_config.json", Options);
        return JsonLimits.Read(path, () => FromRoot(doc.RootElement, path));
    }

    public static PreprocessorConfig Parse(string json, string source)
    {
        using var doc = JsonLimits.Parse(json, source, Options);
        return JsonLimits.Read(source, () => FromRoot(doc.RootElement, source));
    }

    static PreprocessorConfig FromRoot(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new HipVisionException($"{source}: expected a JSON object at the top level");
        return FromObject(root, source);
    }

    static PreprocessorConfig FromObject(JsonElement root, string source)
    {
        string type = ProcessorType(root, source);
        PreprocessorConfig c;
        try
        {
            c = PreprocessorConfig.Defaults(type);
        }
        catch (HipVisionException e)
        {
            throw new HipVisionException($"{source}: {e.Message}", e);
        }
        bool isVit = type == "ViTImageProcessor";
        bool isMobileNet = type == "MobileNetV1ImageProcessor";
        bool isEfficientNet = type == "EfficientNetImageProcessor";

        c = c with
        {
            DoResize = Bool(root, "do_resize", source) ?? c.DoResize,
            // MobileNetV1 widens a bare int to {"shortest_edge"}; the others to a square (get_size_dict default_to_square).
            Size = Size(root, "size", source, intIsShortestEdge: isMobileNet) ?? c.Size,
            Resample = Resample(root, source) ?? c.Resample,
            DoCenterCrop = isVit ? false : Bool(root, "do_center_crop", source) ?? c.DoCenterCrop,
            CropSize = isVit ? null : Size(root, "crop_size", source, intIsShortestEdge: false) ?? c.CropSize,
            DoRescale = Bool(root, "do_rescale", source) ?? c.DoRescale,
            RescaleFactor = Number(root, "rescale_factor", source) ?? c.RescaleFactor,
            RescaleOffset = isEfficientNet && (Bool(root, "rescale_offset", source) ?? c.RescaleOffset),
            DoNormalize = Bool(root, "do_normalize", source) ?? c.DoNormalize,
            ImageMean = PerChannel(root, "image_mean", source) ?? c.ImageMean,
            ImageStd = PerChannel(root, "image_std", source) ?? c.ImageStd,
            IncludeTop = isEfficientNet && (Bool(root, "include_top", source) ?? c.IncludeTop),
        };

        if (c.DoResize && !isMobileNet && !c.Size.IsExact)
            throw new HipVisionException($"{source}: {type} needs 'size' with 'height' and 'width', found {c.Size}");
        if (c.DoCenterCrop && c.CropSize is not { IsExact: true })
            throw new HipVisionException($"{source}: 'crop_size' must have 'height' and 'width', found {c.CropSize}");
        return c;
    }

    static string ProcessorType(JsonElement root, string source)
    {
        if (root.TryGetProperty("image_processor_type", out var t) && t.ValueKind == JsonValueKind.String)
            return t.GetString()!;
        // Older hub configs name the pre-4.26 feature extractor; AutoImageProcessor maps it to the processor class.
        if (root.TryGetProperty("feature_extractor_type", out var f) && f.ValueKind == JsonValueKind.String)
            return f.GetString()!.Replace("FeatureExtractor", "ImageProcessor", StringComparison.Ordinal);
        throw new HipVisionException($"{source}: missing 'image_processor_type' (or 'feature_extractor_type')");
    }

    static bool TryGet(JsonElement root, string key, out JsonElement value) =>
        root.TryGetProperty(key, out value) && value.ValueKind != JsonValueKind.Null;

    static bool? Bool(JsonElement root, string key, string source)
    {
        if (!TryGet(root, key, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new HipVisionException($"{source}: '{key}' must be true or false, found {Raw(v)}"),
        };
    }

    static double? Number(JsonElement root, string key, string source)
    {
        if (!TryGet(root, key, out var v)) return null;
        if (!JsonLimits.TryGetFiniteDouble(v, out var d))
            throw new HipVisionException($"{source}: '{key}' must be a number, found {Raw(v)}");
        return d;
    }

    static int PositiveInt(JsonElement v, string key, string source) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) && i > 0 && i <= MaxSide ? i
            : throw new HipVisionException($"{source}: '{key}' must be an integer in 1..{MaxSide}, found {Raw(v)}");

    /// <summary>A value as the file spells it, cut to one short line for a message.</summary>
    static string Raw(JsonElement v) => Weights.PickleReader.Printable(v.GetRawText());

    static PilResample? Resample(JsonElement root, string source)
    {
        if (!TryGet(root, "resample", out var v)) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var i) || i < 0 || i > 5)
            throw new HipVisionException($"{source}: 'resample' must be a PIL filter number 0-5, found {Raw(v)}");
        return (PilResample)i;
    }

    static SizeDict? Size(JsonElement root, string key, string source, bool intIsShortestEdge)
    {
        if (!TryGet(root, key, out var v)) return null;
        switch (v.ValueKind)
        {
            case JsonValueKind.Number:
                int s = PositiveInt(v, key, source);
                return intIsShortestEdge ? SizeDict.Shortest(s) : SizeDict.Exact(s, s);
            case JsonValueKind.Array when v.GetArrayLength() == 2:
                return SizeDict.Exact(PositiveInt(v[0], key, source), PositiveInt(v[1], key, source));
            case JsonValueKind.Object:
                var names = v.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
                if (names.SequenceEqual(["height", "width"]))
                    return SizeDict.Exact(PositiveInt(v.GetProperty("height"), key + ".height", source),
                                          PositiveInt(v.GetProperty("width"), key + ".width", source));
                if (names.SequenceEqual(["shortest_edge"]))
                    return SizeDict.Shortest(PositiveInt(v.GetProperty("shortest_edge"), key + ".shortest_edge", source));
                throw new HipVisionException(
                    $"{source}: '{key}' must have keys height and width, or shortest_edge; found {{{Weights.PickleReader.Printable(string.Join(", ", names))}}}");
            default:
                throw new HipVisionException($"{source}: '{key}' must be an integer, [height, width] or an object, found {Raw(v)}");
        }
    }

    static IReadOnlyList<double>? PerChannel(JsonElement root, string key, string source)
    {
        if (!TryGet(root, key, out var v)) return null;
        // A single number applies to every channel, as HF's normalize broadcasts it.
        if (v.ValueKind == JsonValueKind.Number)
        {
            double d = Number(root, key, source)!.Value;
            return [d, d, d];
        }
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() != 3
            || v.EnumerateArray().Any(e => !JsonLimits.TryGetFiniteDouble(e, out _)))
            throw new HipVisionException($"{source}: '{key}' must be a number or a list of 3 numbers (R, G, B), found {Raw(v)}");
        return v.EnumerateArray().Select(e => e.GetDouble()).ToArray();
    }
}
