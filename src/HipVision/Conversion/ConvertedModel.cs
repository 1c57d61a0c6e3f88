using System.Text.Json;
using HipVision.Imaging;
using HipVision.Models;
using HipVision.Weights;

namespace HipVision.Conversion;

/// <summary>
/// The metadata of a model file written by <c>hipvision convert</c>, format version 1: a standard safetensors file
/// whose tensors are in the engine's layouts, under the names the engine's graph gives them (HF names where nothing
/// was re-laid out; <c>…attention.attention.qkv.weight</c> [3·D, D] and <c>.qkv.bias</c>; BEiT's
/// <c>…layer.N.attention.relative_position_bias</c> [heads, T, T]; <c>…convolution.weight+bn</c> and
/// <c>…normalization.folded_bias</c> for a conv with its BatchNorm folded), all F32, F16 or BF16, and whose
/// <c>__metadata__</c> (string → string) holds the rest of a model directory:
/// <list type="table">
/// <item><term>hipvision.format</term><description>"1", the version of this layout</description></item>
/// <item><term>hipvision.model_type</term><description>the family, config.json's model_type (vit, beit, mobilenet_v1, efficientnet)</description></item>
/// <item><term>hipvision.precision</term><description>fp32, fp16 or bf16: how the tensors are stored</description></item>
/// <item><term>hipvision.config</term><description>config.json, the full text</description></item>
/// <item><term>hipvision.preprocessor_config</term><description>preprocessor_config.json, the full text (the family's default when the directory had none)</description></item>
/// <item><term>hipvision.labels</term><description>the labels as a JSON array, index = class id (config.json's id2label, in order)</description></item>
/// </list>
/// </summary>
public sealed record ConvertedModel
{
    /// <summary>Metadata key of the format version.</summary>
    public const string FormatKey = "hipvision.format";
    /// <summary>The version this build writes and reads.</summary>
    public const string FormatVersion = "1";
    /// <summary>Metadata key of the family (config.json's model_type).</summary>
    public const string ModelTypeKey = "hipvision.model_type";
    /// <summary>Metadata key of the storage precision.</summary>
    public const string PrecisionKey = "hipvision.precision";
    /// <summary>Metadata key of config.json's text.</summary>
    public const string ConfigKey = "hipvision.config";
    /// <summary>Metadata key of preprocessor_config.json's text.</summary>
    public const string PreprocessorKey = "hipvision.preprocessor_config";
    /// <summary>Metadata key of the labels (a JSON array of strings).</summary>
    public const string LabelsKey = "hipvision.labels";

    /// <summary>The parsed config.</summary>
    public required ModelConfig Config { get; init; }
    /// <summary>config.json as it was converted.</summary>
    public required string ConfigJson { get; init; }
    /// <summary>The parsed preprocessor config.</summary>
    public required PreprocessorConfig Preprocessor { get; init; }
    /// <summary>preprocessor_config.json as it was converted.</summary>
    public required string PreprocessorJson { get; init; }
    /// <summary>Class labels, index = class id.</summary>
    public required IReadOnlyList<string> Labels { get; init; }
    /// <summary>How the tensors are stored.</summary>
    public required Precision Precision { get; init; }

    /// <summary>The metadata a converted file carries (the writing half of the format).</summary>
    public static Dictionary<string, string> Metadata(ModelConfig config, string configJson, string preprocessorJson, Precision precision)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var label in config.Labels) w.WriteStringValue(label);
            w.WriteEndArray();
        }
        return new(StringComparer.Ordinal)
        {
            [FormatKey] = FormatVersion,
            [ModelTypeKey] = config.ModelType,
            [PrecisionKey] = precision.Name(),
            [ConfigKey] = configJson,
            [PreprocessorKey] = preprocessorJson,
            [LabelsKey] = System.Text.Encoding.UTF8.GetString(buffer.ToArray()),
        };
    }

    /// <summary>Reads and checks the metadata of an opened file (the reading half of the format).</summary>
    /// <exception cref="HipVisionException">Not a converted file, another format version, or metadata that is missing or disagrees with itself.</exception>
    public static ConvertedModel Read(SafeTensorsFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var path = file.Path;
        var meta = file.Metadata;
        if (!meta.TryGetValue(FormatKey, out var version))
            throw new HipVisionException($"{path}: a safetensors file without HipVision metadata (for a Hugging Face checkpoint give its model directory, or convert it with 'hipvision convert')");
        if (version != FormatVersion)
            throw new HipVisionException($"{path}: HipVision format version '{version}'; this build reads version {FormatVersion}");
        string Required(string key) => meta.TryGetValue(key, out var v) ? v : throw new HipVisionException($"{path}: metadata '{key}' missing");

        var configJson = Required(ConfigKey);
        var config = ModelConfig.Parse(configJson, $"{path} ({ConfigKey})");
        if (Required(ModelTypeKey) != config.ModelType)
            throw new HipVisionException($"{path}: metadata '{ModelTypeKey}' is '{meta[ModelTypeKey]}' but its config is '{config.ModelType}'");
        var preprocessorJson = Required(PreprocessorKey);
        var preprocessor = PreprocessorConfig.Parse(preprocessorJson, $"{path} ({PreprocessorKey})");
        var labels = ReadLabels(Required(LabelsKey), path);
        if (!labels.SequenceEqual(config.Labels, StringComparer.Ordinal))
            throw new HipVisionException($"{path}: metadata '{LabelsKey}' ({labels.Length} labels) disagrees with the config's id2label ({config.Labels.Count})");
        if (!Precisions.TryParse(Required(PrecisionKey), out var precision))
            throw new HipVisionException($"{path}: metadata '{PrecisionKey}' is '{meta[PrecisionKey]}', expected fp32, fp16 or bf16");
        return new ConvertedModel
        {
            Config = config, ConfigJson = configJson, Preprocessor = preprocessor, PreprocessorJson = preprocessorJson,
            Labels = labels, Precision = precision,
        };
    }

    static string[] ReadLabels(string json, string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new JsonException("not an array");
            return doc.RootElement.EnumerateArray()
                .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new JsonException("an entry is not a string")).ToArray();
        }
        catch (JsonException e)
        {
            throw new HipVisionException($"{path}: metadata '{LabelsKey}' is not a JSON array of strings: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }
}
