using System.Globalization;
using System.Text.Json;
using HipVision.Graph;
using HipVision.Weights;

namespace HipVision.Models;

/// <summary>
/// Hugging Face <c>MobileNetV1Config</c> (model_type "mobilenet_v1"), the fields MobileNetV1ForImageClassification
/// uses, with HF's defaults. <see cref="LayerNormEps"/> is the BatchNorm epsilon (HF's name for it). Presets are
/// named after hub ids; the TensorFlow checkpoints have 1001 classes, 0 = "background".
/// </summary>
public sealed record MobileNetV1Config : ModelConfig
{
    /// <summary>Stride of each of the 13 depthwise-separable layers (HF and the TF reference).</summary>
    public static IReadOnlyList<int> LayerStrides { get; } = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1];

    /// <summary>Widest layer accepted (a pointwise weight of MaxWidth² elements is <see cref="ModelConfig.MaxTensorElements"/>).</summary>
    const int MaxWidth = 16_384;

    /// <inheritdoc/>
    public override string ModelType => "mobilenet_v1";

    /// <summary>num_channels.</summary>
    public int NumChannels { get; init; } = 3;
    /// <summary>image_size (square).</summary>
    public int ImageSize { get; init; } = 224;
    /// <summary>depth_multiplier: scales every layer's width (must be positive).</summary>
    public double DepthMultiplier { get; init; } = 1.0;
    /// <summary>min_depth: no layer is narrower than this.</summary>
    public int MinDepth { get; init; } = 8;
    /// <summary>hidden_act; only "relu6" is supported.</summary>
    public string HiddenAct { get; init; } = "relu6";
    /// <summary>tf_padding: TensorFlow "SAME" padding computed from each layer's input size; otherwise PyTorch's symmetric (k−1)/2.</summary>
    public bool TfPadding { get; init; } = true;
    /// <summary>classifier_dropout_prob (inference: identity; kept for config.json round trips).</summary>
    public double ClassifierDropoutProb { get; init; } = 0.999;
    /// <summary>layer_norm_eps: the BatchNorm epsilon.</summary>
    public double LayerNormEps { get; init; } = 0.001;

    /// <summary>google/mobilenet_v1_1.0_224 ("background" + ImageNet-1k).</summary>
    public static MobileNetV1Config MobileNetV1_1_0_224 => new() { Labels = BackgroundPlusImageNet() };

    /// <summary>google/mobilenet_v1_0.75_192 ("background" + ImageNet-1k).</summary>
    public static MobileNetV1Config MobileNetV1_0_75_192 => new() { DepthMultiplier = 0.75, ImageSize = 192, Labels = BackgroundPlusImageNet() };

    /// <summary>The 1001 labels of the TF checkpoints: the ImageNet-1k classes shifted by one, 0 = "background".</summary>
    public static IReadOnlyList<string> BackgroundPlusImageNet() => ["background", .. ImageNetLabels.Classes1k];

    /// <inheritdoc/>
    public override (int Channels, int Height, int Width) InputSize => (NumChannels, ImageSize, ImageSize);

    /// <summary>Width of a layer whose reference depth (before the multiplier) is <paramref name="depth"/>: max(int(depth·multiplier), min_depth), truncated as Python's int() does.</summary>
    public int Depth(int depth) => Math.Max((int)(depth * DepthMultiplier), MinDepth);

    /// <summary>Output channels of the stem and of each of the 13 pointwise layers, in order (14 entries).</summary>
    public IReadOnlyList<int> Widths()
    {
        int depth = 32;
        var widths = new List<int> { Depth(depth) };
        for (int i = 0; i < LayerStrides.Count; i++)
        {
            if (LayerStrides[i] == 2 || i == 0) depth *= 2;
            widths.Add(Depth(depth));
        }
        return widths;
    }

    /// <summary>
    /// The image processor the HF conversion script saves (<c>convert_original_tf_checkpoint_to_pytorch.py</c>):
    /// crop image_size, resize the shortest edge to image_size + 32 (256 for the 224 models, 224 for 192).
    /// </summary>
    public override string DefaultPreprocessorJson =>
        $$$"""{"crop_size": {"height": {{{ImageSize}}}, "width": {{{ImageSize}}}}, "do_center_crop": true, "do_normalize": true, "do_rescale": true, "do_resize": true, "image_mean": [0.5, 0.5, 0.5], "image_processor_type": "MobileNetV1ImageProcessor", "image_std": [0.5, 0.5, 0.5], "resample": 2, "rescale_factor": 0.00392156862745098, "size": {"shortest_edge": {{{ImageSize + 32}}}}}""";

    /// <summary>Reads the fields from a parsed config.json; errors are one line naming the file.</summary>
    public static MobileNetV1Config FromJson(JsonConfigReader json)
    {
        var c = new MobileNetV1Config
        {
            NumChannels = json.Int("num_channels", 3),
            ImageSize = json.Int("image_size", 224),
            DepthMultiplier = json.Double("depth_multiplier", 1.0),
            MinDepth = json.Int("min_depth", 8),
            HiddenAct = json.String("hidden_act", "relu6"),
            TfPadding = json.Bool("tf_padding", true),
            ClassifierDropoutProb = json.Double("classifier_dropout_prob", 0.999),
            LayerNormEps = json.Double("layer_norm_eps", 0.001),
            Labels = ReadLabels(json, 2),
        };
        if (c.HiddenAct != "relu6")
            throw new HipVisionException($"{json.Source}: hidden_act '{c.HiddenAct}' is not supported (supported: relu6)");
        if (!(c.DepthMultiplier > 0) || double.IsInfinity(c.DepthMultiplier))
            throw new HipVisionException($"{json.Source}: depth_multiplier {c.DepthMultiplier.ToString(CultureInfo.InvariantCulture)} must be greater than zero");
        if (c.MinDepth <= 0 || c.NumChannels <= 0)
            throw new HipVisionException($"{json.Source}: min_depth {c.MinDepth} and num_channels {c.NumChannels} must be positive");
        if (c.DepthMultiplier * 1024 > MaxWidth || c.MinDepth > MaxWidth)
            throw new HipVisionException($"{json.Source}: depth_multiplier {c.DepthMultiplier.ToString(CultureInfo.InvariantCulture)} and min_depth {c.MinDepth} make layers wider than {MaxWidth} channels");
        if (c.ImageSize <= 0)
            throw new HipVisionException($"{json.Source}: image_size {c.ImageSize} must be positive");
        CheckRange(json.Source, "image_size", c.ImageSize, 1, MaxImageSize);
        CheckRange(json.Source, "num_channels", c.NumChannels, 1, MaxChannels);
        if (!(c.LayerNormEps >= 0))
            throw new HipVisionException($"{json.Source}: layer_norm_eps {c.LayerNormEps.ToString(CultureInfo.InvariantCulture)} must not be negative");
        CheckTensorSize(json.Source, "the classifier (num_labels × widest layer)", (double)c.NumLabels * c.Widths().Max());
        if (c.NumLabels == 0)
            throw new HipVisionException($"{json.Source}: num_labels is 0; HipVision runs the classification head only");
        return c;
    }

    /// <inheritdoc/>
    public override ModelGraph BuildGraph(IWeightSource weights, int batch, bool hiddenStates = false) =>
        MobileNetV1.Build(this, weights, batch, hiddenStates);

    /// <inheritdoc/>
    public override void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStartArray("architectures");
        json.WriteStringValue("MobileNetV1ForImageClassification");
        json.WriteEndArray();
        json.WriteNumber("classifier_dropout_prob", ClassifierDropoutProb);
        json.WriteNumber("depth_multiplier", DepthMultiplier);
        json.WriteString("hidden_act", HiddenAct);
        WriteLabels(json);
        json.WriteNumber("image_size", ImageSize);
        json.WriteNumber("initializer_range", 0.02);
        json.WriteNumber("layer_norm_eps", LayerNormEps);
        json.WriteNumber("min_depth", MinDepth);
        json.WriteString("model_type", ModelType);
        json.WriteNumber("num_channels", NumChannels);
        json.WriteBoolean("tf_padding", TfPadding);
        json.WriteString("torch_dtype", "float32");
        json.WriteEndObject();
    }
}
