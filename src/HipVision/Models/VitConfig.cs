using System.Text.Json;
using HipVision.Graph;
using HipVision.Weights;

namespace HipVision.Models;

/// <summary>
/// Hugging Face <c>ViTConfig</c> (model_type "vit"), the fields ViTForImageClassification uses, with HF's
/// defaults. Presets are named after hub ids.
/// </summary>
public sealed record VitConfig : PatchTransformerConfig
{
    /// <inheritdoc/>
    public override string ModelType => "vit";

    /// <summary>qkv_bias.</summary>
    public bool QkvBias { get; init; } = true;

    /// <summary>google/vit-base-patch16-224 (ImageNet-1k labels).</summary>
    public static VitConfig VitBasePatch16_224 => new() { Labels = ImageNetLabels.Classes1k };



    /// <inheritdoc/>
    public override string DefaultPreprocessorJson =>
        $$$"""{"do_normalize": true, "do_rescale": true, "do_resize": true, "image_mean": [0.5, 0.5, 0.5], "image_processor_type": "ViTImageProcessor", "image_std": [0.5, 0.5, 0.5], "resample": 2, "rescale_factor": 0.00392156862745098, "size": {"height": {{{ImageSize}}}, "width": {{{ImageSize}}}}}""";

    /// <summary>Reads the fields from a parsed config.json.</summary>
    public static VitConfig FromJson(JsonConfigReader json) => ReadEncoder<VitConfig>(json) with
    {
        QkvBias = json.Bool("qkv_bias", true),
    };

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
