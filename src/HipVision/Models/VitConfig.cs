using System.Text.Json;
using HipVision.Graph;
using HipVision.Weights;

namespace HipVision.Models;

/// <summary>
/// Hugging Face <c>ViTConfig</c> (model_type "vit"), the fields ViTForImageClassification uses, with HF's
/// defaults. Presets are named after hub ids.
/// </summary>
public sealed record VitConfig : ModelConfig
{
    /// <inheritdoc/>
    public override string ModelType => "vit";

    /// <summary>hidden_size (D).</summary>
    public int HiddenSize { get; init; } = 768;
    /// <summary>num_hidden_layers.</summary>
    public int NumHiddenLayers { get; init; } = 12;
    /// <summary>num_attention_heads.</summary>
    public int NumAttentionHeads { get; init; } = 12;
    /// <summary>intermediate_size (MLP width).</summary>
    public int IntermediateSize { get; init; } = 3072;
    /// <summary>hidden_act; only "gelu" (exact erf) is supported.</summary>
    public string HiddenAct { get; init; } = "gelu";
    /// <summary>layer_norm_eps.</summary>
    public double LayerNormEps { get; init; } = 1e-12;
    /// <summary>image_size (square).</summary>
    public int ImageSize { get; init; } = 224;
    /// <summary>patch_size.</summary>
    public int PatchSize { get; init; } = 16;
    /// <summary>num_channels.</summary>
    public int NumChannels { get; init; } = 3;
    /// <summary>qkv_bias.</summary>
    public bool QkvBias { get; init; } = true;

    /// <summary>google/vit-base-patch16-224 (ImageNet-1k labels).</summary>
    public static VitConfig VitBasePatch16_224 => new() { Labels = ImageNetLabels.Classes1k };

    /// <inheritdoc/>
    public override (int Channels, int Height, int Width) InputSize => (NumChannels, ImageSize, ImageSize);

    /// <summary>Patches per image.</summary>
    public int NumPatches => (ImageSize / PatchSize) * (ImageSize / PatchSize);

    /// <inheritdoc/>
    public override string DefaultPreprocessorJson =>
        $$$"""{"do_normalize": true, "do_rescale": true, "do_resize": true, "image_mean": [0.5, 0.5, 0.5], "image_processor_type": "ViTImageProcessor", "image_std": [0.5, 0.5, 0.5], "resample": 2, "rescale_factor": 0.00392156862745098, "size": {"height": {{{ImageSize}}}, "width": {{{ImageSize}}}}}""";

    /// <summary>Reads the fields from a parsed config.json.</summary>
    public static VitConfig FromJson(JsonConfigReader json)
    {
        var c = new VitConfig
        {
            HiddenSize = json.Int("hidden_size", 768),
            NumHiddenLayers = json.Int("num_hidden_layers", 12),
            NumAttentionHeads = json.Int("num_attention_heads", 12),
            IntermediateSize = json.Int("intermediate_size", 3072),
            HiddenAct = json.String("hidden_act", "gelu"),
            LayerNormEps = json.Double("layer_norm_eps", 1e-12),
            ImageSize = json.Int("image_size", 224),
            PatchSize = json.Int("patch_size", 16),
            NumChannels = json.Int("num_channels", 3),
            QkvBias = json.Bool("qkv_bias", true),
            Labels = ReadLabels(json, 2),
        };
        if (c.HiddenAct != "gelu")
            throw new HipVisionException($"{json.Source}: hidden_act '{c.HiddenAct}' is not supported (supported: gelu)");
        if (c.HiddenSize <= 0 || c.NumAttentionHeads <= 0 || c.HiddenSize % c.NumAttentionHeads != 0)
            throw new HipVisionException($"{json.Source}: hidden_size {c.HiddenSize} is not divisible by num_attention_heads {c.NumAttentionHeads}");
        if (c.NumHiddenLayers < 0 || c.IntermediateSize <= 0 || c.NumChannels <= 0)
            throw new HipVisionException($"{json.Source}: num_hidden_layers {c.NumHiddenLayers}, intermediate_size {c.IntermediateSize}, num_channels {c.NumChannels}: sizes must be positive (layers may be 0)");
        if (c.PatchSize <= 0 || c.ImageSize < c.PatchSize)
            throw new HipVisionException($"{json.Source}: image_size {c.ImageSize} and patch_size {c.PatchSize} give no patches");
        return c;
    }

    /// <inheritdoc/>
    public override ModelGraph BuildGraph(IWeightSource weights, int batch, bool hiddenStates = false) =>
        Vit.Build(this, weights, batch, hiddenStates);

    /// <inheritdoc/>
    public override void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStartArray("architectures");
        json.WriteStringValue("ViTForImageClassification");
        json.WriteEndArray();
        json.WriteNumber("attention_probs_dropout_prob", 0.0);
        json.WriteNumber("encoder_stride", PatchSize);
        json.WriteString("hidden_act", HiddenAct);
        json.WriteNumber("hidden_dropout_prob", 0.0);
        json.WriteNumber("hidden_size", HiddenSize);
        WriteLabels(json);
        json.WriteNumber("image_size", ImageSize);
        json.WriteNumber("initializer_range", 0.02);
        json.WriteNumber("intermediate_size", IntermediateSize);
        json.WriteNumber("layer_norm_eps", LayerNormEps);
        json.WriteString("model_type", ModelType);
        json.WriteNumber("num_attention_heads", NumAttentionHeads);
        json.WriteNumber("num_channels", NumChannels);
        json.WriteNumber("num_hidden_layers", NumHiddenLayers);
        json.WriteNumber("patch_size", PatchSize);
        json.WriteBoolean("qkv_bias", QkvBias);
        json.WriteString("torch_dtype", "float32");
        json.WriteEndObject();
    }
}
