using System.Text.Json;
using HipVision.Graph;
using HipVision.Weights;

namespace HipVision.Models;

/// <summary>
/// Hugging Face <c>BeitConfig</c> (model_type "beit"), the fields BeitForImageClassification uses, with HF's
/// defaults (transformers 4.38). Presets are named after hub ids.
/// </summary>
public sealed record BeitConfig : PatchTransformerConfig
{
    /// <inheritdoc/>
    public override string ModelType => "beit";

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


    /// <summary>HF's window_size = patch_shape: patches per column and per row.</summary>
    public (int Height, int Width) WindowSize => (ImageSize / PatchSize, ImageSize / PatchSize);


    /// <inheritdoc/>
    public override string DefaultPreprocessorJson =>
        $$$"""{"crop_size": {"height": {{{ImageSize}}}, "width": {{{ImageSize}}}}, "do_center_crop": false, "do_normalize": true, "do_reduce_labels": false, "do_rescale": true, "do_resize": true, "image_mean": [0.5, 0.5, 0.5], "image_processor_type": "BeitImageProcessor", "image_std": [0.5, 0.5, 0.5], "resample": 2, "rescale_factor": 0.00392156862745098, "size": {"height": {{{ImageSize}}}, "width": {{{ImageSize}}}}}""";

    /// <summary>Reads the fields from a parsed config.json.</summary>
    public static BeitConfig FromJson(JsonConfigReader json) => ReadEncoder<BeitConfig>(json) with
    {
        UseMaskToken = json.Bool("use_mask_token", false),
        UseAbsolutePositionEmbeddings = json.Bool("use_absolute_position_embeddings", false),
        UseRelativePositionBias = json.Bool("use_relative_position_bias", false),
        UseSharedRelativePositionBias = json.Bool("use_shared_relative_position_bias", false),
        LayerScaleInitValue = json.Double("layer_scale_init_value", 0.1),
        UseMeanPooling = json.Bool("use_mean_pooling", true),
    };

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
