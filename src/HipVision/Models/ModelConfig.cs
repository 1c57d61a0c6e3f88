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
    public static ModelConfig Load(string path)
    {
        using var doc = JsonLimits.Load(path, "a config.json");
        return JsonLimits.Read(path, () => FromJson(doc.RootElement, path));
    }

    /// <summary>Parses config.json text; <paramref name="source"/> names it in errors.</summary>
    public static ModelConfig Parse(string json, string source)
    {
        using var doc = JsonLimits.Parse(json, source);
        return JsonLimits.Read(source, () => FromJson(doc.RootElement, source));
    }

    static ModelConfig FromJson(JsonElement element, string source)
    {
        var root = new JsonConfigReader(element, source);
        var type = root.String("model_type", "");
        return type switch
        {
            "vit" => VitConfig.FromJson(root),
            "beit" => BeitConfig.FromJson(root),
            "efficientnet" => EfficientNetConfig.FromJson(root),
            "mobilenet_v1" => MobileNetV1Config.FromJson(root),
            "" => throw new HipVisionException($"{source}: no model_type (is this a Hugging Face config.json?)"),
            _ => throw new HipVisionException($"{source}: model_type '{PrintableText(type)}' is not supported (supported: {string.Join(", ", SupportedModelTypes)})"),
        };
    }

    /// <summary>
    /// Largest image_size any family accepts. Far above every hub classifier (EfficientNet-B7 is 600), low enough
    /// that no size or activation count derived from it overflows 32 bits before a graph is built.
    /// </summary>
    public const int MaxImageSize = 4096;

    /// <summary>Widest layer (channels, hidden or MLP width) any family accepts; as for <see cref="MaxImageSize"/>.</summary>
    public const int MaxChannels = 1 << 16;

    /// <summary>
    /// Most elements any one tensor a config implies may have (2^28, 1 GiB of float32; the largest real vision
    /// weight, ViT-22B's MLP, has 151M). Checked on the config alone, so that listing or inspecting a hostile
    /// config never allocates gigabytes of placeholder weights and no later size computation overflows.
    /// </summary>
    public const long MaxTensorElements = 1L << 28;

    /// <summary>Throws "source: NAME of N elements is more than MaxTensorElements" for too large an implied tensor.</summary>
    protected static void CheckTensorSize(string source, string what, double elements)
    {
        if (elements > MaxTensorElements)
            throw new HipVisionException($"{source}: {what} would have {elements:0} elements, more than the {MaxTensorElements} a config may imply");
    }

    /// <summary>Throws "source: key value is not in lo..hi" when <paramref name="value"/> is outside the range.</summary>
    protected static void CheckRange(string source, string key, long value, long lo, long hi)
    {
        if (value < lo || value > hi)
            throw new HipVisionException($"{source}: {key} {value} is not in {lo}..{hi}");
    }

    /// <summary>Most classifier outputs a config may declare (ImageNet-22k has 21 843); guards num_labels before labels are made up for it.</summary>
    public const int MaxLabels = 1_000_000;

    /// <summary>The <c>model_type</c> values HipVision can run.</summary>
    public static IReadOnlyList<string> SupportedModelTypes { get; } = ["vit", "beit", "mobilenet_v1", "efficientnet"];

    /// <summary>Labels from <c>id2label</c> (dense 0…n−1), or LABEL_i for <paramref name="defaultCount"/> classes.</summary>
    protected static IReadOnlyList<string> ReadLabels(JsonConfigReader root, int defaultCount)
    {
        var map = root.StringMap("id2label");
        if (map.Count == 0)
        {
            int n = root.Int("num_labels", defaultCount);
            if (n < 0 || n > MaxLabels)
                throw new HipVisionException($"{root.Source}: num_labels {n} is not in 0..{MaxLabels}");
            return Enumerable.Range(0, n).Select(i => $"LABEL_{i}").ToArray();
        }
        if (map.Count > MaxLabels)
            throw new HipVisionException($"{root.Source}: id2label has {map.Count} entries, more than {MaxLabels}");
        var labels = new string[map.Count];
        foreach (var (key, value) in map)
        {
            // Plain decimal digits only: "+1", " 1" and "01" would otherwise name the same class as "1".
            if (!key.All(char.IsAsciiDigit) || !int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int id)
                || id >= labels.Length || (key.Length > 1 && key[0] == '0'))
                throw new HipVisionException($"{root.Source}: id2label key '{PrintableText(key)}' is not an index in 0..{labels.Length - 1}");
            if (labels[id] != null)
                throw new HipVisionException($"{root.Source}: id2label names class {id} twice");
            labels[id] = value;
        }
        return labels;
    }

    /// <summary>Text from a config made safe for a one-line message: control characters escaped, long text cut.</summary>
    internal static string PrintableText(string text) => Weights.PickleReader.Printable(text);

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
