using System.Text.Json;
using HipVision.Graph;

namespace HipVision.Models.Inspection;

/// <summary>
/// ViT / BEiT: where the multiply-accumulates go. Attention is the QKV projection (the contractions feeding an
/// Attention node), the attention core (Q·Kᵀ and P·V, 2·T²·D per image) and the output projection (the contractions
/// the Attention node feeds); MLP is every other contraction of the same encoder layer (the HF prefix before
/// ".attention"); the rest (patch embedding, classifier) is what remains, so attention + MLP + rest = total.
/// </summary>
public sealed class TransformerLesson : ModelLesson
{
    /// <summary>One encoder layer's split.</summary>
    /// <param name="Layer">HF prefix of the encoder layer ("vit.encoder.layer.0").</param>
    /// <param name="Tokens">T, the sequence length.</param>
    /// <param name="Width">D, the hidden size.</param>
    /// <param name="QkvProjection">MACs of the query/key/value projection.</param>
    /// <param name="Core">MACs of Q·Kᵀ and P·V.</param>
    /// <param name="OutputProjection">MACs of the projection after attention.</param>
    /// <param name="Mlp">MACs of the layer's MLP.</param>
    public sealed record LayerSplit(string Layer, int Tokens, int Width, long QkvProjection, long Core, long OutputProjection, long Mlp)
    {
        /// <summary>QKV projection + core + output projection.</summary>
        public long Attention => QkvProjection + Core + OutputProjection;
    }

    TransformerLesson(IReadOnlyList<LayerSplit> layers, long total)
    {
        Layers = layers;
        TotalMacs = total;
    }

    /// <summary>Per encoder layer, in graph order.</summary>
    public IReadOnlyList<LayerSplit> Layers { get; }

    /// <summary>MACs of the whole model.</summary>
    public long TotalMacs { get; }

    /// <summary>MACs in attention over all layers.</summary>
    public long AttentionMacs => Layers.Sum(l => l.Attention);

    /// <summary>MACs in the MLPs over all layers.</summary>
    public long MlpMacs => Layers.Sum(l => l.Mlp);

    /// <summary>Everything outside the encoder layers (patch embedding, classifier).</summary>
    public long RestMacs => TotalMacs - AttentionMacs - MlpMacs;

    /// <summary>The split for an inspection whose graph holds Attention nodes (null when it holds none).</summary>
    public static TransformerLesson? Create(ModelInspection inspection)
    {
        var graph = inspection.Graph;
        var consumers = Consumers(graph);
        var claimed = new HashSet<Node>();
        var splits = new List<LayerSplit>();
        var attentionNodes = graph.Nodes.Where(n => n.Kind == OpKind.Attention).ToArray();
        if (attentionNodes.Length == 0) return null;
        foreach (var a in attentionNodes)
        {
            var qkv = NearestMacNodes([a.Inputs[0]], n => n.Inputs.Where(i => i.Kind != OpKind.Constant));
            var output = NearestMacNodes(consumers[a.Id], n => consumers[n.Id]);
            claimed.Add(a);
            claimed.UnionWith(qkv);
            claimed.UnionWith(output);
            string layer = LayerPrefix(a.Name);
            long mlp = graph.Nodes.Where(n => !claimed.Contains(n) && OpCost.IsContraction(n.Kind) && n.Name.StartsWith(layer + ".", StringComparison.Ordinal))
                                  .Sum(n => { claimed.Add(n); return OpCost.Macs(n); });
            splits.Add(new LayerSplit(layer, a.Shape[1], a.Shape[2], qkv.Sum(OpCost.Macs), OpCost.Macs(a), output.Sum(OpCost.Macs), mlp));
        }
        return new TransformerLesson(splits, inspection.Macs);
    }

    /// <inheritdoc/>
    public override string Title => "Transformer: where the multiply-accumulates go (attention vs MLP)";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Notes
    {
        get
        {
            var first = Layers[0];
            long projections = Layers.Sum(l => l.QkvProjection + l.OutputProjection), core = Layers.Sum(l => l.Core);
            return
            [
                $"Attention {Units.Si(AttentionMacs)}MAC ({Units.Percent((double)AttentionMacs / TotalMacs)}), MLP {Units.Si(MlpMacs)}MAC ({Units.Percent((double)MlpMacs / TotalMacs)}), " +
                $"rest {Units.Si(RestMacs)}MAC ({Units.Percent((double)RestMacs / TotalMacs)}) of {Units.Si(TotalMacs)}MAC.",
                $"Within attention the projections take {Units.Si(projections)}MAC (4·T·D² per image, linear in T) and the core Q·Kᵀ + P·V {Units.Si(core)}MAC " +
                $"(2·T²·D, quadratic in T); at T = {first.Tokens}, D = {first.Width} the core is {Units.Number((double)core / projections, "0.###")} of the projections (T/2D).",
                $"The MLP (2·T·D·I per image) takes {Units.Number((double)MlpMacs / AttentionMacs, "0.##")}× the attention MACs here; more tokens grow the MLP linearly, attention faster.",
            ];
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<LessonTable> Tables =>
    [
        new LessonTable("MACs per encoder layer",
            ["layer", "QKV proj", "Q·Kᵀ + P·V", "out proj", "attention", "MLP", "attention share"],
            [
                .. Layers.Select(l => new[] { l.Layer, Units.Si(l.QkvProjection), Units.Si(l.Core), Units.Si(l.OutputProjection), Units.Si(l.Attention), Units.Si(l.Mlp), Units.Percent((double)l.Attention / (l.Attention + l.Mlp)) }),
                ["total", Units.Si(Layers.Sum(l => l.QkvProjection)), Units.Si(Layers.Sum(l => l.Core)), Units.Si(Layers.Sum(l => l.OutputProjection)), Units.Si(AttentionMacs), Units.Si(MlpMacs), Units.Percent((double)AttentionMacs / (AttentionMacs + MlpMacs))],
                ["rest (outside the layers)", "", "", "", "", "", Units.Si(RestMacs)],
            ]),
    ];

    /// <inheritdoc/>
    public override void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("family", "transformer");
        json.WriteNumber("total_macs", TotalMacs);
        json.WriteNumber("attention_macs", AttentionMacs);
        json.WriteNumber("qkv_projection_macs", Layers.Sum(l => l.QkvProjection));
        json.WriteNumber("attention_core_macs", Layers.Sum(l => l.Core));
        json.WriteNumber("output_projection_macs", Layers.Sum(l => l.OutputProjection));
        json.WriteNumber("mlp_macs", MlpMacs);
        json.WriteNumber("rest_macs", RestMacs);
        json.WriteStartArray("layers");
        foreach (var l in Layers)
        {
            json.WriteStartObject();
            json.WriteString("layer", l.Layer);
            json.WriteNumber("tokens", l.Tokens);
            json.WriteNumber("hidden_size", l.Width);
            json.WriteNumber("qkv_projection_macs", l.QkvProjection);
            json.WriteNumber("attention_core_macs", l.Core);
            json.WriteNumber("output_projection_macs", l.OutputProjection);
            json.WriteNumber("attention_macs", l.Attention);
            json.WriteNumber("mlp_macs", l.Mlp);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>"vit.encoder.layer.0.attention" → "vit.encoder.layer.0" (the name itself when it has no ".attention").</summary>
    static string LayerPrefix(string attentionName)
    {
        int i = attentionName.IndexOf(".attention", StringComparison.Ordinal);
        return i > 0 ? attentionName[..i] : attentionName;
    }

    /// <summary>Walks from <paramref name="start"/> through elementwise nodes and returns the first contraction (<see cref="OpCost.IsContraction"/>) on each path.</summary>
    static List<Node> NearestMacNodes(IEnumerable<Node> start, Func<Node, IEnumerable<Node>> next)
    {
        var found = new List<Node>();
        var seen = new HashSet<Node>();
        var queue = new Queue<Node>(start);
        while (queue.Count > 0)
        {
            var n = queue.Dequeue();
            if (!seen.Add(n) || n.Kind is OpKind.Input or OpKind.Constant) continue;
            if (OpCost.IsContraction(n.Kind)) found.Add(n);
            else foreach (var m in next(n)) queue.Enqueue(m);
        }
        return found;
    }

    internal static List<Node>[] Consumers(ModelGraph graph)
    {
        var consumers = graph.Nodes.Select(_ => new List<Node>()).ToArray();
        foreach (var n in graph.Nodes) foreach (var i in n.Inputs) consumers[i.Id].Add(n);
        return consumers;
    }
}
