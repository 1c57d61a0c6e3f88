using System.Text.Json;
using HipVision.Graph;
using HipVision.Weights;

namespace HipVision.Models;

/// <summary>
/// Hugging Face <c>BeitConfig</c> (model_type "beit"), the fields BeitForImageClassification uses, with HF's
/// defaults (transformers 4.38). Presets are named after hub ids.
/// </summary>
public sealed record BeitConfig : ModelConfig
{
    /// <inheritdoc/>
    public override string ModelType => "beit";

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
    /// <summary>use_mask_token: the model then holds <c>beit.embeddings.mask_token</c>, which classification never reads.</summary>
    public bool UseMaskToken { get; init; }
    /// <summary>use_absolute_position_embeddings: learned [1, T, D] added after the [CLS] concat.</summary>
    public bool UseAbsolutePositionEmbeddings { get; init; }
    /// <summary>use_relative_position_bias: one bias table per layer.</summary>
    public bool UseRelativePositionBias { get; init; }
    /// <summary>use_shared_relative_position_bias: one table in the encoder, added in every layer.</summary>
    public bool UseSharedRelativePositionBias { get; init; }
    /// <summary>layer_scale_init_value; when &gt; 0 every layer has lambda_1/lambda_2 (their values come from the weights).</summary>
    public double LayerScaleInitValue { get; init; } = 0.1;
    /// <summary>use_mean_pooling: mean of the patch tokens then pooler.layernorm (else the [CLS] token after beit.layernorm).</summary>
    public bool UseMeanPooling { get; init; } = true;

    /// <summary>microsoft/beit-base-patch16-224 (ImageNet-1k fine-tuned, per-layer relative position bias).</summary>
    public static BeitConfig BeitBasePatch16_224 => new()
    {
        UseRelativePositionBias = true,
        UseSharedRelativePositionBias = false,
        UseAbsolutePositionEmbeddings = false,
        UseMeanPooling = true,
        LayerScaleInitValue = 0.1,
        Labels = ImageNetLabels.Classes1k,
    };

    /// <inheritdoc/>
    public override (int Channels, int Height, int Width) InputSize => (NumChannels, ImageSize, ImageSize);

    /// <summary>HF's window_size = patch_shape: patches per column and per row.</summary>
    public (int Height, int Width) WindowSize => (ImageSize / PatchSize, ImageSize / PatchSize);

    /// <summary>Patches per image.</summary>
    public int NumPatches => WindowSize.Height * WindowSize.Width;

    /// <inheritdoc/>
    public override string DefaultPreprocessorJson =>
        $$$"""{"crop_size": {"height": {{{ImageSize}}}, "width": {{{ImageSize}}}}, "do_center_crop": false, "do_normalize": true, "do_reduce_labels": false, "do_rescale": true, "do_resize": true, "image_mean": [0.5, 0.5, 0.5], "image_processor_type": "BeitImageProcessor", "image_std": [0.5, 0.5, 0.5], "resample": 2, "rescale_factor": 0.00392156862745098, "size": {"height": {{{ImageSize}}}, "width": {{{ImageSize}}}}}""";

    /// <summary>Reads the fields from a parsed config.json.</summary>
    public static BeitConfig FromJson(JsonConfigReader json)
    {
        var c = new BeitConfig
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
            UseMaskToken = json.Bool("use_mask_token", false),
            UseAbsolutePositionEmbeddings = json.Bool("use_absolute_position_embeddings", false),
            UseRelativePositionBias = json.Bool("use_relative_position_bias", false),
            UseSharedRelativePositionBias = json.Bool("use_shared_relative_position_bias", false),
            LayerScaleInitValue = json.Double("layer_scale_init_value", 0.1),
            UseMeanPooling = json.Bool("use_mean_pooling", true),
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
        Beit.Build(this, weights, batch, hiddenStates);

    /// <inheritdoc/>
    public override void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStartArray("architectures");
        json.WriteStringValue("BeitForImageClassification");
        json.WriteEndArray();
        json.WriteNumber("attention_probs_dropout_prob", 0.0);
        json.WriteNumber("drop_path_rate", 0.1);
        json.WriteString("hidden_act", HiddenAct);
        json.WriteNumber("hidden_dropout_prob", 0.0);
        json.WriteNumber("hidden_size", HiddenSize);
        WriteLabels(json);
        json.WriteNumber("image_size", ImageSize);
        json.WriteNumber("initializer_range", 0.02);
        json.WriteNumber("intermediate_size", IntermediateSize);
        json.WriteNumber("layer_norm_eps", LayerNormEps);
        json.WriteNumber("layer_scale_init_value", LayerScaleInitValue);
        json.WriteString("model_type", ModelType);
        json.WriteNumber("num_attention_heads", NumAttentionHeads);
        json.WriteNumber("num_channels", NumChannels);
        json.WriteNumber("num_hidden_layers", NumHiddenLayers);
        json.WriteNumber("patch_size", PatchSize);
        json.WriteString("torch_dtype", "float32");
        json.WriteBoolean("use_absolute_position_embeddings", UseAbsolutePositionEmbeddings);
        json.WriteBoolean("use_mask_token", UseMaskToken);
        json.WriteBoolean("use_mean_pooling", UseMeanPooling);
        json.WriteBoolean("use_relative_position_bias", UseRelativePositionBias);
        json.WriteBoolean("use_shared_relative_position_bias", UseSharedRelativePositionBias);
        json.WriteNumber("vocab_size", 8192);
        json.WriteEndObject();
    }
}
