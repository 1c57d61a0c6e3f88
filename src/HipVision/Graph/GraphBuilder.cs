namespace HipVision.Graph;

/// <summary>
/// Records a model's layer sequence as a backend-independent <see cref="ModelGraph"/>. Each method checks
/// shapes, appends one node and returns it; nothing is computed here.
/// </summary>
public sealed class GraphBuilder
{
    readonly List<Node> _nodes = [];
    readonly List<Node> _inputs = [];
    readonly List<(string, Node)> _outputs = [];

    /// <summary>Declares a run-time input.</summary>
    public Node Input(string name, params int[] shape)
    {
        var node = Add(OpKind.Input, name, [], shape);
        _inputs.Add(node);
        return node;
    }

    /// <summary>A constant tensor; the graph keeps a reference to <paramref name="data"/> (C order).</summary>
    public Node Constant(string name, int[] shape, float[] data)
    {
        if (ShapeMath.Count(shape) != data.Length)
            throw new ArgumentException($"constant {name}: shape {ShapeMath.Format(shape)} needs {ShapeMath.Count(shape)} values, got {data.Length}");
        return Add(OpKind.Constant, name, [], shape, data: data);
    }

    /// <summary>y = x·Wᵀ + b over the last dimension of x; <paramref name="weight"/> is [out, in].</summary>
    public Node Linear(Node x, Node weight, Node? bias, string name = "")
    {
        Require(weight.Shape.Length == 2 && weight.Shape[1] == x.Shape[^1], name, $"linear weight {ShapeMath.Format(weight.Shape)} does not fit input {ShapeMath.Format(x.Shape)}");
        RequireBias(bias, weight.Shape[0], name);
        int[] shape = [.. x.Shape[..^1], weight.Shape[0]];
        return Add(OpKind.Linear, name, bias is null ? [x, weight] : [x, weight, bias], shape);
    }

    /// <summary>
    /// 2-D convolution of an NCHW tensor with weight [out, in/groups, kh, kw]; groups == channels is depthwise.
    /// </summary>
    public Node Conv2d(Node x, Node weight, Node? bias, int stride = 1, Padding2d padding = default, int groups = 1, int dilation = 1, string name = "")
    {
        Require(x.Shape.Length == 4 && weight.Shape.Length == 4, name, "conv2d needs NCHW input and a 4-D weight");
        int c = x.Shape[1], o = weight.Shape[0];
        Require(groups > 0 && c % groups == 0 && o % groups == 0 && weight.Shape[1] == c / groups, name,
            $"conv2d weight {ShapeMath.Format(weight.Shape)} does not fit input {ShapeMath.Format(x.Shape)} with groups={groups}");
        RequireBias(bias, o, name);
        Require(stride >= 1 && dilation >= 1, name, $"conv2d stride {stride} and dilation {dilation} must be at least 1");
        int kh = weight.Shape[2], kw = weight.Shape[3];
        // torch.nn.Conv2d: ⌊span/stride⌋ + 1 with span = padded input − dilated kernel; a negative span (kernel larger
        // than the padded input) is an error there, not one output (C#'s / truncates −1/2 to 0).
        int spanH = x.Shape[2] + padding.Top + padding.Bottom - dilation * (kh - 1) - 1;
        int spanW = x.Shape[3] + padding.Left + padding.Right - dilation * (kw - 1) - 1;
        Require(spanH >= 0 && spanW >= 0, name, $"conv2d kernel {kh}×{kw} (dilation {dilation}) is larger than the padded input {ShapeMath.Format(x.Shape)}");
        int oh = spanH / stride + 1, ow = spanW / stride + 1;
        var attributes = new Conv2dAttributes(stride, stride, padding, dilation, dilation, groups);
        return Add(OpKind.Conv2d, name, bias is null ? [x, weight] : [x, weight, bias], [x.Shape[0], o, oh, ow], attributes);
    }

    /// <summary>TensorFlow "SAME" padding for a convolution of <paramref name="x"/> (NCHW) with the given kernel and stride.</summary>
    public static Padding2d SamePadding(Node x, int kernel, int stride, int dilation = 1) =>
        Padding2d.TensorFlowSame(x.Shape[2], x.Shape[3], kernel, kernel, stride, stride, dilation, dilation);

    /// <summary>Inference BatchNorm over dimension 1: (x − mean)/√(var + eps)·γ + β.</summary>
    public Node BatchNorm(Node x, Node gamma, Node beta, Node mean, Node variance, double eps, string name = "")
    {
        int c = x.Shape[1];
        foreach (var p in new[] { gamma, beta, mean, variance })
            Require(p.Shape.Length == 1 && p.Shape[0] == c, name, $"batch norm parameter {p.Name} {ShapeMath.Format(p.Shape)} does not fit {c} channels");
        return Add(OpKind.BatchNorm, name, [x, gamma, beta, mean, variance], x.Shape, new EpsilonAttributes(eps));
    }

    /// <summary>LayerNorm over the last dimension (biased variance, like torch.nn.LayerNorm).</summary>
    public Node LayerNorm(Node x, Node gamma, Node beta, double eps, string name = "")
    {
        int c = x.Shape[^1];
        Require(gamma.ElementCount == c && beta.ElementCount == c, name, $"layer norm parameters do not fit {c} features");
        return Add(OpKind.LayerNorm, name, [x, gamma, beta], x.Shape, new EpsilonAttributes(eps));
    }

    /// <summary>GELU, exact erf form: x·½·(1 + erf(x/√2)).</summary>
    public Node Gelu(Node x, string name = "") => Add(OpKind.Gelu, name, [x], x.Shape);

    /// <summary>ReLU6: min(max(x, 0), 6).</summary>
    public Node Relu6(Node x, string name = "") => Add(OpKind.Relu6, name, [x], x.Shape);

    /// <summary>SiLU / swish: x·sigmoid(x).</summary>
    public Node Silu(Node x, string name = "") => Add(OpKind.Silu, name, [x], x.Shape);

    /// <summary>Logistic sigmoid.</summary>
    public Node Sigmoid(Node x, string name = "") => Add(OpKind.Sigmoid, name, [x], x.Shape);

    /// <summary>Softmax over the last dimension.</summary>
    public Node Softmax(Node x, string name = "") => Add(OpKind.Softmax, name, [x], x.Shape);

    /// <summary>
    /// Multi-head attention as one node. <paramref name="qkv"/> is [B, T, 3·D] holding queries, keys and
    /// values side by side; heads split D. Scores Q·Kᵀ·scale (+ <paramref name="bias"/>, [H, T, T] or
    /// [B, H, T, T]), softmax over keys, times V; output [B, T, D] with heads concatenated.
    /// Scale defaults to 1/√(D/heads).
    /// </summary>
    public Node Attention(Node qkv, int heads, Node? bias = null, float? scale = null, string name = "")
    {
        Require(qkv.Shape.Length == 3 && qkv.Shape[2] % (3 * heads) == 0, name, $"attention input {ShapeMath.Format(qkv.Shape)} is not [B, T, 3·D] with D divisible by {heads} heads");
        int b = qkv.Shape[0], t = qkv.Shape[1], d = qkv.Shape[2] / 3;
        if (bias != null)
        {
            var s = bias.Shape;
            bool ok = (s.Length == 3 && s[0] == heads && s[1] == t && s[2] == t) ||
                      (s.Length == 4 && s[0] == b && s[1] == heads && s[2] == t && s[3] == t);
            Require(ok, name, $"attention bias {ShapeMath.Format(s)} is not [{heads},{t},{t}] or [{b},{heads},{t},{t}]");
        }
        var attributes = new AttentionAttributes(heads, scale ?? (float)(1.0 / Math.Sqrt(d / heads)));
        return Add(OpKind.Attention, name, bias is null ? [qkv] : [qkv, bias], [b, t, d], attributes);
    }

    /// <summary>Elementwise sum with NumPy broadcasting.</summary>
    public Node Add(Node a, Node b, string name = "") => Binary(OpKind.Add, a, b, name);

    /// <summary>Elementwise product with NumPy broadcasting.</summary>
    public Node Mul(Node a, Node b, string name = "") => Binary(OpKind.Mul, a, b, name);

    Node Binary(OpKind kind, Node a, Node b, string name)
    {
        var shape = ShapeMath.Broadcast(a.Shape, b.Shape);
        Require(shape != null, name, $"{kind} shapes {ShapeMath.Format(a.Shape)} and {ShapeMath.Format(b.Shape)} do not broadcast");
        return Add(kind, name, [a, b], shape!);
    }

    /// <summary>Same data, new shape; one dimension may be −1 (inferred).</summary>
    public Node Reshape(Node x, params int[] shape)
    {
        shape = (int[])shape.Clone();
        int infer = Array.IndexOf(shape, -1);
        if (infer >= 0)
        {
            long known = 1;
            for (int i = 0; i < shape.Length; i++) if (i != infer) known *= shape[i];
            shape[infer] = (int)(x.ElementCount / Math.Max(known, 1));
        }
        Require(ShapeMath.Count(shape) == x.ElementCount, "", $"cannot reshape {ShapeMath.Format(x.Shape)} to {ShapeMath.Format(shape)}");
        return Add(OpKind.Reshape, "", [x], shape);
    }

    /// <summary>Permutes axes: output dimension i is input dimension permutation[i].</summary>
    public Node Transpose(Node x, params int[] permutation)
    {
        Require(permutation.Length == x.Shape.Length && permutation.Order().SequenceEqual(Enumerable.Range(0, permutation.Length)), "",
            $"[{string.Join(",", permutation)}] is not a permutation of {x.Shape.Length} axes");
        return Add(OpKind.Transpose, "", [x], permutation.Select(p => x.Shape[p]).ToArray(), new TransposeAttributes(permutation));
    }

    /// <summary>Concatenates along <paramref name="axis"/>; all other dimensions must match.</summary>
    public Node Concat(int axis, params Node[] xs)
    {
        var first = xs[0].Shape;
        axis = NormalizeAxis(axis, first.Length);
        foreach (var x in xs)
            Require(x.Shape.Length == first.Length && Enumerable.Range(0, first.Length).All(i => i == axis || x.Shape[i] == first[i]), "",
                $"cannot concatenate {ShapeMath.Format(x.Shape)} with {ShapeMath.Format(first)} along axis {axis}");
        var shape = (int[])first.Clone();
        shape[axis] = xs.Sum(x => x.Shape[axis]);
        return Add(OpKind.Concat, "", xs, shape, new AxisAttributes(axis));
    }

    /// <summary>Elements [start, end) along <paramref name="axis"/>.</summary>
    public Node Slice(Node x, int axis, int start, int end)
    {
        axis = NormalizeAxis(axis, x.Shape.Length);
        Require(0 <= start && start < end && end <= x.Shape[axis], "", $"slice [{start},{end}) out of range for axis {axis} of {ShapeMath.Format(x.Shape)}");
        var shape = (int[])x.Shape.Clone();
        shape[axis] = end - start;
        return Add(OpKind.Slice, "", [x], shape, new SliceAttributes(axis, start, end));
    }

    /// <summary>Broadcasts size-1 dimensions of <paramref name="x"/> to <paramref name="shape"/> (same rank).</summary>
    public Node Expand(Node x, params int[] shape)
    {
        Require(shape.Length == x.Shape.Length && x.Shape.Zip(shape).All(p => p.First == p.Second || p.First == 1), "",
            $"cannot expand {ShapeMath.Format(x.Shape)} to {ShapeMath.Format(shape)}");
        return Add(OpKind.Expand, "", [x], shape);
    }

    /// <summary>Mean over one axis; the axis is removed.</summary>
    public Node ReduceMean(Node x, int axis, string name = "")
    {
        axis = NormalizeAxis(axis, x.Shape.Length);
        return Add(OpKind.ReduceMean, name, [x], x.Shape.Where((_, i) => i != axis).ToArray(), new AxisAttributes(axis));
    }

    /// <summary>Mean over H and W of an NCHW tensor → [B, C].</summary>
    public Node GlobalAvgPool(Node x, string name = "")
    {
        Require(x.Shape.Length == 4, name, "global average pool needs NCHW input");
        return Add(OpKind.GlobalAvgPool, name, [x], [x.Shape[0], x.Shape[1]]);
    }

    /// <summary>
    /// Conv with kernel = stride = P (weight [D, C, P, P]) flattened to tokens: NCHW image → [B, (H/P)·(W/P), D],
    /// tokens in row-major patch order, exactly HF's projection(x).flatten(2).transpose(1, 2).
    /// </summary>
    public Node PatchEmbedding(Node x, Node weight, Node bias, string name = "")
    {
        Require(x.Shape.Length == 4 && weight.Shape.Length == 4 && weight.Shape[1] == x.Shape[1] && weight.Shape[2] == weight.Shape[3], name,
            $"patch embedding weight {ShapeMath.Format(weight.Shape)} does not fit input {ShapeMath.Format(x.Shape)}");
        int p = weight.Shape[2], d = weight.Shape[0];
        RequireBias(bias, d, name);
        int tokens = (x.Shape[2] / p) * (x.Shape[3] / p);
        return Add(OpKind.PatchEmbedding, name, [x, weight, bias], [x.Shape[0], tokens, d], new PatchAttributes(p));
    }

    /// <summary>
    /// Squeeze-and-excitation as one node: s = mean_hw(x); r = act(W1·s + b1); e = sigmoid(W2·r + b2); y = x·e.
    /// W1 is [R, C] or [R, C, 1, 1]; W2 is [C, R] or [C, R, 1, 1].
    /// </summary>
    public Node SqueezeExcite(Node x, Node reduceWeight, Node reduceBias, Node expandWeight, Node expandBias, OpKind activation = OpKind.Silu, string name = "")
    {
        int c = x.Shape[1], r = reduceWeight.Shape[0];
        Require(x.Shape.Length == 4 && reduceWeight.ElementCount == (long)r * c && expandWeight.Shape[0] == c && expandWeight.ElementCount == (long)r * c, name,
            $"squeeze-excite weights {ShapeMath.Format(reduceWeight.Shape)}, {ShapeMath.Format(expandWeight.Shape)} do not fit {c} channels");
        RequireBias(reduceBias, r, name);
        RequireBias(expandBias, c, name);
        Require(activation is OpKind.Silu or OpKind.Relu6 or OpKind.Gelu or OpKind.Sigmoid, name, $"unsupported squeeze-excite activation {activation}");
        return Add(OpKind.SqueezeExcite, name, [x, reduceWeight, reduceBias, expandWeight, expandBias], x.Shape, new SqueezeExciteAttributes(activation));
    }

    /// <summary>Marks a node as a named graph output.</summary>
    public void Output(string name, Node node) => _outputs.Add((name, node));

    /// <summary>Finishes the graph.</summary>
    public ModelGraph Build()
    {
        if (_outputs.Count == 0) throw new InvalidOperationException("graph has no outputs");
        return new ModelGraph(_nodes.ToArray(), _inputs.ToArray(), _outputs.ToArray());
    }

    /// <summary>Re-records an existing node with new inputs (used by compile-time graph passes).</summary>
    internal Node CopyOf(Node node, Node[] inputs)
    {
        var copy = Add(node.Kind, node.Name, inputs, node.Shape, node.Attributes, node.Data);
        if (node.Kind == OpKind.Input) _inputs.Add(copy);
        return copy;
    }

    Node Add(OpKind kind, string name, Node[] inputs, int[] shape, OpAttributes? attributes = null, float[]? data = null)
    {
        var node = new Node(_nodes.Count, kind, name, inputs, shape, attributes, data);
        _nodes.Add(node);
        return node;
    }

    static int NormalizeAxis(int axis, int rank) => axis < 0 ? axis + rank : axis;

    static void RequireBias(Node? bias, int n, string name) =>
        Require(bias is null || (bias.Shape.Length == 1 && bias.Shape[0] == n), name, $"bias {(bias is null ? "" : ShapeMath.Format(bias.Shape))} does not fit {n} outputs");

    static void Require(bool condition, string name, string message)
    {
        if (!condition) throw new ArgumentException(name.Length > 0 ? $"{name}: {message}" : message);
    }
}
