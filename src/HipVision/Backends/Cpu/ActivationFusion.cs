using HipVision.Graph;

namespace HipVision.Backends.Cpu;

/// <summary>
/// Which elementwise activations (ReLU6, SiLU, GELU, sigmoid) the CPU plan folds into the step that produces
/// their input: the producer must be a kind the caller's predicate accepts, the activation its only reader,
/// and not a graph output (its pre-activation value is then never observed). The activation node then shares
/// the producer's storage, and the producer's step applies it while the data is in cache: one memory pass less.
/// </summary>
internal sealed class ActivationFusion
{
    readonly Dictionary<Node, Node> _producerOf = [];
    readonly Dictionary<Node, OpKind> _activationAfter = [];

    public static ActivationFusion Find(ModelGraph graph, Func<Node, bool> canFuse)
    {
        var readers = new Dictionary<Node, int>();
        foreach (var node in graph.Nodes)
            foreach (var input in node.Inputs) readers[input] = readers.GetValueOrDefault(input) + 1;
        var outputs = graph.Outputs.Select(o => o.Node).ToHashSet();
        var fusion = new ActivationFusion();
        foreach (var node in graph.Nodes)
        {
            if (node.Kind is not (OpKind.Relu6 or OpKind.Silu or OpKind.Gelu or OpKind.Sigmoid)) continue;
            var producer = node.Inputs[0];
            if (!canFuse(producer) || readers[producer] != 1 || outputs.Contains(producer) || fusion._activationAfter.ContainsKey(producer)) continue;
            fusion._producerOf[node] = producer;
            fusion._activationAfter[producer] = node.Kind;
        }
        return fusion;
    }

    /// <summary>For a fused activation node, the step that computes it; null otherwise.</summary>
    public Node? ProducerOf(Node activation) => _producerOf.GetValueOrDefault(activation);

    /// <summary>The activation a producer applies in its own step, or null.</summary>
    public OpKind? ActivationAfter(Node producer) => _activationAfter.TryGetValue(producer, out var kind) ? kind : null;
}
