using System.Text.Json;
using HipVision.Graph;
using HipVision.IO;
using HipVision.Weights;

namespace HipVision.Models;

/// <summary>
/// The parts of a Hugging Face <c>config.json</c> every family shares (model type, labels) plus what each
/// family implements: building its graph from weights and listing its parameters. One subclass per family.
/// </summary>
public abstract record ModelConfig
{
    /// <summary>The HF <c>model_type</c> ("vit", …).</summary>
    public abstract string ModelType { get; }

    /// <summary>Class labels by index (from <c>id2label</c>; "LABEL_i" when absent).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>Number of classifier outputs.</summary>
    public int NumLabels => Labels.Count;

    /// <summary>Input channels × height × width the model expects.</summary>
    public abstract (int Channels, int Height, int Width) InputSize { get; }

    /// <summary>
    /// Records the model for a batch of <paramref name="batch"/> images. Outputs: "logits" and, when
    /// <paramref name="hiddenStates"/> is set, "hidden_states.K" as HF's output_hidden_states returns them.
    /// </summary>
    public abstract ModelGraph BuildGraph(IWeightSource weights, int batch, bool hiddenStates = false);

    /// <summary>The <c>preprocessor_config.json</c> the hub model of this family ships, for synthetic models.</summary>
    public abstract string DefaultPreprocessorJson { get; }

    /// <summary>Writes this config as a Hugging Face <c>config.json</c>.</summary>
    public abstract void WriteJson(Utf8JsonWriter json);

    /// <summary>Every parameter the model reads, (name, shape), in the order the graph asks for them.</summary>
    public IReadOnlyList<(string Name, int[] Shape)> Parameters()
    {
        var recorder = new RecordingWeights();
        BuildGraph(recorder, 1);
        return recorder.Requested;
    }

    /// <summary>
    /// The non-float entries of HF's state_dict, which the model never reads but <c>from_pretrained</c> expects:
    /// by default one <c>num_batches_tracked</c> (int64, 0-d, value 0, as in an untrained or converted model) per
    /// BatchNorm, i.e. per parameter named "….running_mean". (Name, dtype, shape, little-endian bytes.)
    /// </summary>
    public virtual IReadOnlyList<(string Name, SafeTensorDtype Dtype, int[] Shape, byte[] Data)> ExtraStateDict() =>
        Parameters().Where(p => p.Name.EndsWith(".running_mean", StringComparison.Ordinal))
            .Select(p => (p.Name[..^"running_mean".Length] + "num_batches_tracked", SafeTensorDtype.I64, Array.Empty<int>(), new byte[8]))
            .ToArray();

    /// <summary>Number of parameters (elements of every float tensor the model reads).</summary>
    public long ParameterCount => Parameters().Sum(p => ShapeMath.Count(p.Shape));

    /// <summary>Reads a config.json, dispatching on <c>model_type</c>; errors name the file.</summary>
    public static ModelConfig Load(string path) => Parse(InputFile.ReadAllText(path), path);

    /// <summary>Parses config.json text; <paramref name="source"/> names it in errors.</summary>
    public static ModelConfig Parse(string json, string source)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new HipVisionException($"{source}: not valid JSON: {e.Message}", e); }
        using (doc)
        {
            var root = new JsonConfigReader(doc.RootElement, source);
            var type = root.String("model_type", "");
            return type switch
            {
                "vit" => VitConfig.FromJson(root),
                "beit" => BeitConfig.FromJson(root),
                "efficientnet" => EfficientNetConfig.FromJson(root),
                "mobilenet_v1" => MobileNetV1Config.FromJson(root),
                "" => throw new HipVisionException($"{source}: no model_type (is this a Hugging Face config.json?)"),
                _ => throw new HipVisionException($"{source}: model_type '{type}' is not supported (supported: {string.Join(", ", SupportedModelTypes)})"),
            };
        }
    }

    /// <summary>The <c>model_type</c> values HipVision can run.</summary>
    public static IReadOnlyList<string> SupportedModelTypes { get; } = ["vit", "beit", "mobilenet_v1", "efficientnet"];

    /// <summary>Labels from <c>id2label</c> (dense 0…n−1), or LABEL_i for <paramref name="defaultCount"/> classes.</summary>
    protected static IReadOnlyList<string> ReadLabels(JsonConfigReader root, int defaultCount)
    {
        var map = root.StringMap("id2label");
        if (map.Count == 0)
        {
            int n = root.Int("num_labels", defaultCount);
            return Enumerable.Range(0, n).Select(i => $"LABEL_{i}").ToArray();
        }
        var labels = new string[map.Count];
        foreach (var (key, value) in map)
        {
            if (!int.TryParse(key, out int id) || id < 0 || id >= labels.Length)
                throw new HipVisionException($"{root.Source}: id2label key '{key}' is not an index in 0..{labels.Length - 1}");
            labels[id] = value;
        }
        return labels;
    }

    /// <summary>Writes id2label/label2id as HF does.</summary>
    protected void WriteLabels(Utf8JsonWriter json)
    {
        json.WriteStartObject("id2label");
        for (int i = 0; i < Labels.Count; i++) json.WriteString(i.ToString(System.Globalization.CultureInfo.InvariantCulture), Labels[i]);
        json.WriteEndObject();
        json.WriteStartObject("label2id");
        foreach (var (label, i) in Labels.Select((l, i) => (l, i)).DistinctBy(p => p.l)) json.WriteNumber(label, i);
        json.WriteEndObject();
    }
}
