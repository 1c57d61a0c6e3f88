using System.Text.Json;
using HipVision.Graph;

namespace HipVision.Models.Inspection;

/// <summary>
/// MobileNetV1 (Howard et al. 2017): a depthwise convolution (groups = channels) followed by a 1×1 convolution
/// costs D_K·D_K·M·D_F·D_F + M·N·D_F·D_F where one standard convolution would cost D_K·D_K·M·N·D_F·D_F, a ratio of
/// 1/N + 1/D_K². Width multiplier α thins every layer (M, N → αM, αN) and resolution multiplier ρ shrinks D_F, so
/// the cost falls by about α²·ρ². Pairs are found in the graph (the first contraction after a depthwise conv, through
/// BatchNorm and activations, being a 1×1 conv); α is config.json's depth_multiplier and ρ = image_size/224.
/// </summary>
public sealed class MobileNetLesson : ModelLesson
{
    /// <summary>One depthwise-separable pair, costs for the whole batch.</summary>
    /// <param name="Layer">HF prefix of the depthwise convolution.</param>
    /// <param name="Pointwise">HF prefix of the 1×1 convolution.</param>
    /// <param name="Kernel">D_K.</param>
    /// <param name="InChannels">M.</param>
    /// <param name="OutChannels">N.</param>
    /// <param name="FeatureSize">D_F, the output side of the depthwise convolution.</param>
    /// <param name="Batch">Images.</param>
    public sealed record SeparablePair(string Layer, string Pointwise, int Kernel, int InChannels, int OutChannels, int FeatureSize, int Batch)
    {
        long Df2 => (long)FeatureSize * FeatureSize;

        /// <summary>D_K·D_K·M·D_F·D_F.</summary>
        public long Depthwise => Batch * (long)Kernel * Kernel * InChannels * Df2;

        /// <summary>M·N·D_F·D_F.</summary>
        public long Pointwise1x1 => Batch * (long)InChannels * OutChannels * Df2;

        /// <summary>Depthwise + pointwise.</summary>
        public long Separable => Depthwise + Pointwise1x1;

        /// <summary>D_K·D_K·M·N·D_F·D_F.</summary>
        public long Standard => Batch * (long)Kernel * Kernel * InChannels * OutChannels * Df2;
    }

    /// <summary>The same model at another width or resolution multiplier.</summary>
    /// <param name="Alpha">Width multiplier (depth_multiplier).</param>
    /// <param name="ImageSize">Input side; ρ = ImageSize/224.</param>
    /// <param name="Parameters">Every float tensor.</param>
    /// <param name="Macs">Whole-model MACs.</param>
    /// <param name="Separable">MACs of the depthwise-separable pairs.</param>
    public sealed record Variant(double Alpha, int ImageSize, long Parameters, long Macs, long Separable)
    {
        /// <summary>ρ = image_size / 224.</summary>
        public double Rho => ImageSize / (double)ReferenceSize;
    }

    /// <summary>The resolution ρ = 1 refers to.</summary>
    public const int ReferenceSize = 224;

    /// <summary>The paper's grid of width multipliers, shown beside the model's own.</summary>
    public static IReadOnlyList<double> AlphaGrid { get; } = [1.0, 0.75, 0.5, 0.25];

    /// <summary>The paper's grid of resolutions.</summary>
    public static IReadOnlyList<int> ResolutionGrid { get; } = [224, 192, 160, 128];

    MobileNetLesson(IReadOnlyList<SeparablePair> pairs, long total, Variant model, Variant? baseline, IReadOnlyList<Variant> grid)
    {
        Pairs = pairs;
        TotalMacs = total;
        Model = model;
        Baseline = baseline;
        Grid = grid;
    }

    /// <summary>The depthwise-separable pairs in graph order.</summary>
    public IReadOnlyList<SeparablePair> Pairs { get; }

    /// <summary>MACs of the whole model.</summary>
    public long TotalMacs { get; }

    /// <summary>This model: its α, resolution, parameters and MACs.</summary>
    public Variant Model { get; }

    /// <summary>α = 1, ρ = 1 (null when the config has no depth_multiplier to change).</summary>
    public Variant? Baseline { get; }

    /// <summary>Other α at this resolution and other resolutions at this α.</summary>
    public IReadOnlyList<Variant> Grid { get; }

    /// <summary>Σ depthwise-separable MACs.</summary>
    public long Separable => Pairs.Sum(p => p.Separable);

    /// <summary>Σ standard-convolution MACs of the same layers.</summary>
    public long Standard => Pairs.Sum(p => p.Standard);

    /// <summary>The lesson for a MobileNet-style inspection (null when its graph has no depthwise-separable pair).</summary>
    public static MobileNetLesson? Create(ModelConfig config, ModelInspection inspection)
    {
        var pairs = FindPairs(inspection.Graph, inspection.Batch);
        if (pairs.Count == 0) return null;
        var json = ConfigJson.Read(config);
        double alpha = ConfigJson.Double(json, "depth_multiplier", 1.0);
        int size = ConfigJson.Int(json, "image_size", config.InputSize.Height);
        var model = new Variant(alpha, size, inspection.Parameters, inspection.Macs, pairs.Sum(p => p.Separable));
        if (!json.ContainsKey("depth_multiplier")) return new MobileNetLesson(pairs, inspection.Macs, model, null, []);

        Variant Build(double a, int s)
        {
            if (a == alpha && s == size) return model;
            var variant = ConfigJson.Variant(config, $"depth_multiplier {a}, image_size {s}", j => { j["depth_multiplier"] = a; j["image_size"] = s; });
            var i = ModelInspector.InspectWithoutLesson(variant, inspection.Batch);
            return new Variant(a, s, i.Parameters, i.Macs, FindPairs(i.Graph, i.Batch).Sum(p => p.Separable));
        }
        var baseline = Build(1.0, ReferenceSize);
        var grid = AlphaGrid.Select(a => Build(a, size)).Concat(ResolutionGrid.Where(s => s != size).Select(s => Build(alpha, s))).ToArray();
        return new MobileNetLesson(pairs, inspection.Macs, model, baseline, grid);
    }

    internal static List<SeparablePair> FindPairs(ModelGraph graph, int batch)
    {
        var consumers = TransformerLesson.Consumers(graph);
        var pairs = new List<SeparablePair>();
        foreach (var dw in graph.Nodes)
        {
            if (dw.Kind != OpKind.Conv2d) continue;
            var w = dw.Inputs[1].Shape;
            int groups = dw.Attr<Conv2dAttributes>().Groups;
            if (groups <= 1 || groups != dw.Inputs[0].Shape[1] || w[1] != 1 || w[2] != w[3]) continue;
            var pw = NextMacNode(dw, consumers);
            if (pw is null || pw.Kind != OpKind.Conv2d || pw.Attr<Conv2dAttributes>().Groups != 1 || pw.Inputs[1].Shape[2] != 1 || pw.Inputs[1].Shape[3] != 1) continue;
            if (dw.Shape[2] != dw.Shape[3]) continue; // D_F·D_F assumes a square map
            pairs.Add(new SeparablePair(dw.Name, pw.Name, w[2], dw.Shape[1], pw.Shape[1], dw.Shape[2], batch));
        }
        return pairs;
    }

    /// <summary>The single first contraction downstream of <paramref name="n"/> (through BatchNorm and activations), or null when there is not exactly one.</summary>
    static Node? NextMacNode(Node n, List<Node>[] consumers)
    {
        var next = consumers[n.Id];
        while (next.Count == 1 && !OpCost.IsContraction(next[0].Kind)) next = consumers[next[0].Id];
        return next.Count == 1 ? next[0] : null;
    }

    /// <inheritdoc/>
    public override string Title => "MobileNet: depthwise-separable convolutions against standard ones, and what α and ρ do";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Notes
    {
        get
        {
            var notes = new List<string>
            {
                $"{Pairs.Count} depthwise-separable layers cost {Units.Si(Separable)}MAC where standard convolutions would cost {Units.Si(Standard)}MAC: " +
                $"{Units.Number((double)Separable / Standard, "0.0000")} of it ({Units.Number((double)Standard / Separable, "0.0")}× fewer), per layer 1/N + 1/D_K².",
                $"They are {Units.Percent((double)Separable / TotalMacs)} of the model's {Units.Si(TotalMacs)}MAC; the 1×1 convolutions alone are " +
                $"{Units.Percent((double)Pairs.Sum(p => p.Pointwise1x1) / TotalMacs)}.",
            };
            if (Baseline is { } b)
            {
                double predicted = Model.Alpha * Model.Alpha * Model.Rho * Model.Rho;
                notes.Add($"This model: α = {Units.Number(Model.Alpha)}, ρ = {Model.ImageSize}/{ReferenceSize} = {Units.Number(Model.Rho)}; α²ρ² = {Units.Number(predicted, "0.####")}. " +
                          $"Against α = 1, ρ = 1 ({Units.Si(b.Macs)}MAC, {Units.Count(b.Parameters)} parameters) its separable layers cost {Units.Number((double)Model.Separable / b.Separable, "0.####")}×, " +
                          $"the whole model {Units.Number((double)Model.Macs / b.Macs, "0.####")}× the MACs and {Units.Number((double)Model.Parameters / b.Parameters, "0.####")}× the parameters " +
                          "(α thins parameters ~α²; ρ leaves them alone; channel rounding and min_depth keep small models above α²).");
            }
            return notes;
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<LessonTable> Tables
    {
        get
        {
            var tables = new List<LessonTable>
            {
                new("Depthwise-separable layers (costs for the batch)",
                    ["depthwise layer", "D_K", "M", "N", "D_F", "D_K²·M·D_F² + M·N·D_F²", "D_K²·M·N·D_F²", "ratio", "1/N + 1/D_K²"],
                    [
                        .. Pairs.Select(p => new[]
                        {
                            p.Layer, p.Kernel.ToString(), p.InChannels.ToString(), p.OutChannels.ToString(), p.FeatureSize.ToString(),
                            $"{Units.Si(p.Depthwise)} + {Units.Si(p.Pointwise1x1)}", Units.Si(p.Standard), Units.Number((double)p.Separable / p.Standard, "0.0000"),
                            Units.Number(1.0 / p.OutChannels + 1.0 / (p.Kernel * p.Kernel), "0.0000"),
                        }),
                        ["total", "", "", "", "", $"{Units.Si(Pairs.Sum(p => p.Depthwise))} + {Units.Si(Pairs.Sum(p => p.Pointwise1x1))}", Units.Si(Standard), Units.Number((double)Separable / Standard, "0.0000"), ""],
                    ]),
            };
            if (Baseline is { } b)
                tables.Add(new LessonTable("Width (α) and resolution (ρ) multipliers, against α = 1, ρ = 1",
                    ["α", "resolution", "ρ", "parameters", "MACs", "MACs / baseline", "α²ρ²", "separable / baseline"],
                    [.. new[] { Model }.Concat(Grid.Where(v => v != Model)).Prepend(b).Distinct().Select(v => new[]
                    {
                        Units.Number(v.Alpha), v.ImageSize.ToString(), Units.Number(v.Rho), Units.Count(v.Parameters), Units.Si(v.Macs),
                        Units.Number((double)v.Macs / b.Macs, "0.####"), Units.Number(v.Alpha * v.Alpha * v.Rho * v.Rho, "0.####"), Units.Number((double)v.Separable / b.Separable, "0.####"),
                    })]));
            return tables;
        }
    }

    /// <inheritdoc/>
    public override void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("family", "mobilenet");
        json.WriteNumber("total_macs", TotalMacs);
        json.WriteNumber("separable_macs", Separable);
        json.WriteNumber("standard_macs", Standard);
        json.WriteNumber("ratio", (double)Separable / Standard);
        json.WriteStartArray("layers");
        foreach (var p in Pairs)
        {
            json.WriteStartObject();
            json.WriteString("depthwise", p.Layer);
            json.WriteString("pointwise", p.Pointwise);
            json.WriteNumber("kernel", p.Kernel);
            json.WriteNumber("in_channels", p.InChannels);
            json.WriteNumber("out_channels", p.OutChannels);
            json.WriteNumber("feature_size", p.FeatureSize);
            json.WriteNumber("depthwise_macs", p.Depthwise);
            json.WriteNumber("pointwise_macs", p.Pointwise1x1);
            json.WriteNumber("standard_macs", p.Standard);
            json.WriteNumber("ratio", (double)p.Separable / p.Standard);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteVariant(json, "model", Model);
        if (Baseline is { } b) WriteVariant(json, "baseline", b);
        json.WriteStartArray("variants");
        foreach (var v in Grid) WriteVariant(json, null, v);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    static void WriteVariant(Utf8JsonWriter json, string? name, Variant v)
    {
        if (name is null) json.WriteStartObject(); else json.WriteStartObject(name);
        json.WriteNumber("alpha", v.Alpha);
        json.WriteNumber("image_size", v.ImageSize);
        json.WriteNumber("rho", v.Rho);
        json.WriteNumber("parameters", v.Parameters);
        json.WriteNumber("macs", v.Macs);
        json.WriteNumber("separable_macs", v.Separable);
        json.WriteEndObject();
    }
}
