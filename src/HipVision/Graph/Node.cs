namespace HipVision.Graph;

/// <summary>
/// One value of a <see cref="ModelGraph"/>: the operation that produces it, its inputs, its static shape and,
/// for constants, its data. Nodes are immutable once built.
/// </summary>
public sealed class Node
{
    internal Node(int id, OpKind kind, string name, Node[] inputs, int[] shape, OpAttributes? attributes, float[]? data)
    {
        Id = id;
        Kind = kind;
        Name = name;
        Inputs = inputs;
        Shape = shape;
        Attributes = attributes;
        Data = data;
    }

    /// <summary>Position of the node in its graph (topological order).</summary>
    public int Id { get; }

    /// <summary>The operation.</summary>
    public OpKind Kind { get; }

    /// <summary>A readable name: the Hugging Face weight prefix for layers, the tensor name for constants.</summary>
    public string Name { get; }

    /// <summary>The operand nodes, in the order the operation defines.</summary>
    public IReadOnlyList<Node> Inputs { get; }

    /// <summary>The static output shape.</summary>
    public int[] Shape { get; }

    /// <summary>Operation-specific settings, or null for operations without any.</summary>
    public OpAttributes? Attributes { get; }

    /// <summary>The values of a <see cref="OpKind.Constant"/> node (C order); null otherwise.</summary>
    public float[]? Data { get; }

    /// <summary>Number of elements of the output.</summary>
    public long ElementCount => ShapeMath.Count(Shape);

    /// <summary>The attributes as the expected record type.</summary>
    public T Attr<T>() where T : OpAttributes =>
        Attributes as T ?? throw new InvalidOperationException($"node {Name} ({Kind}) has no {typeof(T).Name}");

    /// <inheritdoc/>
    public override string ToString() => $"%{Id} {Kind} {Name} [{string.Join(",", Shape)}]";
}
