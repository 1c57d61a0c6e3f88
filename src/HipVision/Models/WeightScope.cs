using HipVision.Graph;
using HipVision.Weights;

namespace HipVision.Models;

/// <summary>
/// A Hugging Face weight-name prefix bound to a graph builder and a weight source, so model code reads like
/// the HF module tree: <c>w.Pp("attention").Pp("output").Pp("dense")</c> → "…attention.output.dense".
/// </summary>
public sealed class WeightScope
{
    readonly GraphBuilder _graph;
    readonly IWeightSource _weights;

    /// <summary>The root scope (empty prefix).</summary>
    public WeightScope(GraphBuilder graph, IWeightSource weights, string prefix = "")
    {
        _graph = graph;
        _weights = weights;
        Prefix = prefix;
    }

    /// <summary>The dotted prefix of this scope.</summary>
    public string Prefix { get; }

    /// <summary>A child scope: prefix + "." + name ("push prefix", as candle calls it).</summary>
    public WeightScope Pp(string name) => new(_graph, _weights, Prefix.Length == 0 ? name : $"{Prefix}.{name}");

    /// <summary>A child scope for a numbered module (<c>layer.3</c>).</summary>
    public WeightScope Pp(int index) => Pp(index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Full name of a tensor in this scope.</summary>
    public string Name(string leaf) => Prefix.Length == 0 ? leaf : $"{Prefix}.{leaf}";

    /// <summary>The tensor's values, checked against the shape the config implies.</summary>
    public float[] Data(string leaf, params int[] shape) => _weights.Get(Name(leaf), shape);

    /// <summary>The tensor as a constant node of the graph.</summary>
    public Node Tensor(string leaf, params int[] shape) => _graph.Constant(Name(leaf), shape, Data(leaf, shape));

    /// <summary>A tensor by its full name, for engine names that are not a leaf of this scope (folded BatchNorm).</summary>
    public Node TensorNamed(string name, params int[] shape) => _graph.Constant(name, shape, _weights.Get(name, shape));

    /// <summary>True when the source serves engine-layout tensors (<see cref="IWeightSource.Prepared"/>).</summary>
    public bool Prepared => _weights.Prepared;

    /// <summary>True when the source holds the tensor (for optional parameters such as biases).</summary>
    public bool Has(string leaf) => _weights.Contains(Name(leaf));
}
