namespace HipVision.Graph;

/// <summary>
/// A recorded model: nodes in topological order, the named inputs and the named outputs.
/// Building a graph only records; a backend compiles it into an execution plan.
/// </summary>
public sealed class ModelGraph
{
    internal ModelGraph(IReadOnlyList<Node> nodes, IReadOnlyList<Node> inputs, IReadOnlyList<(string Name, Node Node)> outputs)
    {
        Nodes = nodes;
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>All nodes, inputs of a node always before the node.</summary>
    public IReadOnlyList<Node> Nodes { get; }

    /// <summary>Graph inputs (nodes of kind <see cref="OpKind.Input"/>), in declaration order.</summary>
    public IReadOnlyList<Node> Inputs { get; }

    /// <summary>Named outputs (e.g. "logits", "hidden_states.0").</summary>
    public IReadOnlyList<(string Name, Node Node)> Outputs { get; }

    /// <summary>The output node of the given name.</summary>
    public Node Output(string name) =>
        Outputs.FirstOrDefault(o => o.Name == name).Node ?? throw new ArgumentException($"graph has no output '{name}'");
}
