namespace HipVision.Graph;

/// <summary>
/// Compile-time pass: a BatchNorm whose input is a Conv2d (used by nothing else) with constant parameters is
/// folded into that convolution: W' = W·γ/√(var+eps) per output channel, b' = (b − mean)·γ/√(var+eps) + β.
/// Folding is done in double and rounded once to float32.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>Returns a graph with every foldable BatchNorm folded (the input graph is not changed).</summary>
    public static ModelGraph Apply(ModelGraph graph)
    {
        var uses = new int[graph.Nodes.Count];
        foreach (var n in graph.Nodes) foreach (var i in n.Inputs) uses[i.Id]++;
        foreach (var (_, n) in graph.Outputs) uses[n.Id]++;
        if (!graph.Nodes.Any(n => Foldable(n, uses))) return graph;

        var g = new GraphBuilder();
        var map = new Dictionary<Node, Node>();
        foreach (var node in graph.Nodes)
        {
            if (node.Kind == OpKind.Conv2d && uses[node.Id] == 1 && graph.Nodes.Any(n => n.Inputs.Count > 0 && n.Inputs[0] == node && Foldable(n, uses)))
                continue; // rebuilt, folded, when its BatchNorm is reached
            map[node] = Foldable(node, uses) ? Fold(g, node, map) : g.CopyOf(node, node.Inputs.Select(i => map[i]).ToArray());
        }
        foreach (var (name, n) in graph.Outputs) g.Output(name, map[n]);
        return g.Build();
    }

    /// <summary>The name of the folded weight of a conv whose weight constant is <paramref name="convWeight"/>.</summary>
    public static string FoldedWeightName(string convWeight) => convWeight + "+bn";

    /// <summary>The name of the bias folding creates for the BatchNorm node <paramref name="batchNorm"/>.</summary>
    public static string FoldedBiasName(string batchNorm) => batchNorm + ".folded_bias";

    static bool Foldable(Node n, int[] uses) =>
        n.Kind == OpKind.BatchNorm && n.Inputs[0].Kind == OpKind.Conv2d && uses[n.Inputs[0].Id] == 1 &&
        n.Inputs.Skip(1).All(p => p.Kind == OpKind.Constant) && n.Inputs[0].Inputs.Skip(1).All(p => p.Kind == OpKind.Constant);

    static Node Fold(GraphBuilder g, Node bn, Dictionary<Node, Node> map)
    {
        var conv = bn.Inputs[0];
        var w = conv.Inputs[1];
        float[] gamma = bn.Inputs[1].Data!, beta = bn.Inputs[2].Data!, mean = bn.Inputs[3].Data!, variance = bn.Inputs[4].Data!;
        double eps = bn.Attr<EpsilonAttributes>().Epsilon;
        int outChannels = w.Shape[0];
        int perChannel = (int)(w.ElementCount / outChannels);
        var weight = new float[w.ElementCount];
        var bias = new float[outChannels];
        for (int o = 0; o < outChannels; o++)
        {
            double k = gamma[o] / Math.Sqrt(variance[o] + eps);
            for (int i = 0; i < perChannel; i++) weight[o * perChannel + i] = (float)(w.Data![o * perChannel + i] * k);
            double b = conv.Inputs.Count > 2 ? conv.Inputs[2].Data![o] : 0.0;
            bias[o] = (float)((b - mean[o]) * k + beta[o]);
        }
        var a = conv.Attr<Conv2dAttributes>();
        var newW = g.Constant(FoldedWeightName(w.Name), w.Shape, weight);
        var newB = g.Constant(FoldedBiasName(bn.Name), [outChannels], bias);
        return g.Conv2d(map[conv.Inputs[0]], newW, newB, a.StrideH, a.Padding, a.Groups, a.DilationH, conv.Name);
    }
}
