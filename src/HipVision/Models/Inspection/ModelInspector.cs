using HipVision.Graph;

namespace HipVision.Models.Inspection;

/// <summary>
/// Looks inside a model without its weights: records the graph with zero weights (config.json is all it needs),
/// then costs every operation (<see cref="OpCost"/>) and attributes every checkpoint tensor to the layer that
/// reads it, so the layer rows add up to the totals.
/// </summary>
public static class ModelInspector
{
    /// <summary>
    /// Inspects <paramref name="config"/> for <paramref name="batch"/> images, with its family's lesson.
    /// <paramref name="checkpointNames"/>, when a checkpoint is at hand, answers which optional tensors exist.
    /// </summary>
    public static ModelInspection Inspect(ModelConfig config, int batch = 1, IReadOnlySet<string>? checkpointNames = null)
    {
        var inspection = InspectWithoutLesson(config, batch, checkpointNames);
        return inspection with { Lesson = FamilyLessons.For(config, inspection) };
    }

    internal static ModelInspection InspectWithoutLesson(ModelConfig config, int batch, IReadOnlySet<string>? checkpointNames = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be at least 1");
        var weights = new RecordingWeights(checkpointNames);
        var graph = config.BuildGraph(weights, batch);
        var tensors = weights.Requested.DistinctBy(t => t.Name).ToArray();
        return Analyze(graph, tensors, batch) with { ModelType = config.ModelType };
    }

    /// <summary>
    /// Costs a graph. <paramref name="tensors"/> are the checkpoint tensors to count (HF names); each goes to the
    /// first node reading a constant of that name, else to the node named by its longest dotted prefix (so HF's
    /// query/key/value land on the fused QKV projection), else to one row of unattributed parameters. Without
    /// <paramref name="tensors"/> the graph's constants are counted, each once, at their first reader.
    /// </summary>
    public static ModelInspection Analyze(ModelGraph graph, IReadOnlyList<(string Name, int[] Shape)>? tensors = null, int batch = 1)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var firstReader = new Dictionary<Node, Node>();
        foreach (var n in graph.Nodes)
            foreach (var i in n.Inputs)
                if (i.Kind == OpKind.Constant) firstReader.TryAdd(i, n);

        var parameters = new Dictionary<int, long>();
        var statistics = new Dictionary<int, long>();
        void Attribute(int id, string name, long count)
        {
            parameters[id] = parameters.GetValueOrDefault(id) + count;
            if (IsStatistic(name)) statistics[id] = statistics.GetValueOrDefault(id) + count;
        }

        if (tensors is null)
        {
            foreach (var (constant, reader) in firstReader) Attribute(reader.Id, constant.Name, constant.ElementCount);
            tensors = firstReader.Keys.Select(c => (c.Name, c.Shape)).ToArray();
        }
        else
        {
            var readerByConstantName = new Dictionary<string, Node>();
            foreach (var (constant, reader) in firstReader.OrderBy(p => p.Value.Id)) readerByConstantName.TryAdd(constant.Name, reader);
            var byName = new Dictionary<string, Node>();
            foreach (var n in graph.Nodes)
                if (n.Name.Length > 0 && n.Kind is not (OpKind.Constant or OpKind.Input) && (!byName.TryGetValue(n.Name, out var seen) || (!ReadsConstant(seen) && ReadsConstant(n))))
                    byName[n.Name] = n;
            foreach (var (name, shape) in tensors)
                Attribute(Owner(name, readerByConstantName, byName)?.Id ?? -1, name, ShapeMath.Count(shape));
        }

        var layers = new List<LayerCost>();
        var names = RowNames(graph);
        foreach (var n in graph.Nodes)
        {
            if (n.Kind is OpKind.Input or OpKind.Constant) continue;
            layers.Add(new LayerCost(n.Id, names[n.Id], n.Kind, n.Shape, parameters.GetValueOrDefault(n.Id), statistics.GetValueOrDefault(n.Id), OpCost.Macs(n), OpCost.Bytes(n)));
        }
        if (parameters.ContainsKey(-1))
            layers.Add(new LayerCost(-1, "(read by no named layer)", OpKind.Constant, [], parameters[-1], statistics.GetValueOrDefault(-1), 0, 0));
        return new ModelInspection { ModelType = "", Batch = batch, Graph = graph, Layers = layers, Tensors = tensors };
    }

    /// <summary>BatchNorm running statistics: HF names ending running_mean, running_var or num_batches_tracked.</summary>
    public static bool IsStatistic(string tensorName) =>
        tensorName.EndsWith("running_mean", StringComparison.Ordinal) || tensorName.EndsWith("running_var", StringComparison.Ordinal) ||
        tensorName.EndsWith("num_batches_tracked", StringComparison.Ordinal);

    /// <summary>
    /// A node's own name, else that of its latest input (a constant standing for its module: "vit.embeddings.cls_token"
    /// → "vit.embeddings"), so a residual Add reads as part of the layer whose output it adds and cls-token plumbing as embeddings.
    /// </summary>
    static string[] RowNames(ModelGraph graph)
    {
        var names = new string[graph.Nodes.Count];
        foreach (var n in graph.Nodes)
            names[n.Id] = n.Name.Length > 0 && n.Kind != OpKind.Constant ? n.Name
                : n.Kind == OpKind.Constant ? (n.Name.LastIndexOf('.') is int dot and > 0 ? n.Name[..dot] : n.Name)
                : n.Inputs.Count > 0 ? names[n.Inputs.MaxBy(i => i.Id)!.Id] : "";
        return names;
    }

    static bool ReadsConstant(Node n) => n.Inputs.Any(i => i.Kind == OpKind.Constant);

    static Node? Owner(string tensor, Dictionary<string, Node> readerByConstantName, Dictionary<string, Node> byName)
    {
        if (readerByConstantName.TryGetValue(tensor, out var reader)) return reader;
        for (int dot = tensor.LastIndexOf('.'); dot > 0; dot = tensor.LastIndexOf('.', dot - 1))
            if (byName.TryGetValue(tensor[..dot], out var node)) return node;
        return null;
    }
}
