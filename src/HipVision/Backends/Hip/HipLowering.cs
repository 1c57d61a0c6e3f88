using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Interop;

namespace HipVision.Backends.Hip;

/// <summary>
/// Turns a <see cref="ModelGraph"/> into the launch sequence of the HIP backend, choosing the native entry per node and
/// the fusions the ABI offers: Linear + GELU as one <c>hv_linear</c> with a GELU epilogue, BEiT's layer scale and the
/// residual add after it as one <c>hv_layer_scale</c>, a residual add and the LayerNorm reading it as one
/// <c>hv_add_layer_norm</c>, [CLS] expand + concat as <c>hv_prepend_token</c>, a token slice
/// feeding a mean as <c>hv_mean_tokens</c>, patch embedding as <c>hv_patch_embed</c> + <c>hv_linear</c>. Reshapes and
/// fused activations are views (same buffer). Every op of the ViT, BEiT, MobileNetV1 and EfficientNet graphs is covered; any other op fails with
/// a <see cref="HipVisionException"/> naming it.
/// Convnets (MobileNetV1, EfficientNet): BatchNorm is folded into its convolution first (<see cref="BatchNormFolding"/>), and
/// 4-D tensors between convolutions are channels-last on the device as <see cref="ChannelsLastLayout"/> decides for the CPU
/// plan (the same rules: dense convs produce NHWC, the stem reads the NCHW pixels). Dense k×k convs run as <c>hv_conv2d</c>,
/// 1×1 stride-1 unpadded convs on NHWC as <c>hv_linear</c> over [B·H·W, C], depthwise as <c>hv_depthwise_conv2d</c> with the
/// graph's 4-sided padding; a ReLU6/SiLU/GELU that is a conv's only reader is fused into it. Squeeze-excite is
/// <c>hv_squeeze_excite</c> (workspace planned as step scratch), global average pool <c>hv_global_avg_pool</c>, residual
/// adds <c>hv_add</c>. NHWC graph outputs (hidden states) are converted to NCHW on download (<see cref="IsNhwc"/>).
/// </summary>
internal sealed partial class HipLowering
{
    readonly ModelGraph _graph;
    readonly Dictionary<Node, List<Node>> _consumers = [];
    readonly HashSet<Node> _outputs;
    readonly HashSet<Node> _folded = [];
    readonly Dictionary<Node, Node> _storage = [];
    readonly ChannelsLastLayout _layout;
    readonly int _elementSize;

    HipLowering(ModelGraph graph, Precision precision)
    {
        _graph = graph;
        _elementSize = precision.ElementSize();
        _layout = ChannelsLastLayout.Find(graph, convertInput: true);
        _outputs = graph.Outputs.Select(o => o.Node).ToHashSet();
        foreach (var node in graph.Nodes)
        {
            _consumers[node] = [];
            foreach (var input in node.Inputs) _consumers[input].Add(node);
        }
    }

    /// <summary>The launch sequence, in graph order.</summary>
    public List<HipStep> Steps { get; } = [];

    /// <summary>For every activation node, the node whose buffer holds its values (itself, or what it is a view of).</summary>
    public IReadOnlyDictionary<Node, Node> Storage => _storage;

    /// <summary>The graph the steps run: the one given, with every foldable BatchNorm folded into its convolution.</summary>
    public ModelGraph Graph => _graph;

    /// <summary>True when <paramref name="node"/>'s device storage is [B, H, W, C] rather than the graph's [B, C, H, W].</summary>
    public bool IsNhwc(Node node) => _layout.IsNhwc(node);

    /// <summary>
    /// Lowers the graph (BatchNorm folded first) for tensors stored at <paramref name="precision"/> (which sizes the steps'
    /// scratch); throws <see cref="HipVisionException"/> naming the first op the backend cannot run.
    /// </summary>
    public static HipLowering Lower(ModelGraph graph, Precision precision = Precision.Fp32)
    {
        if (graph.Inputs.Count != 1) throw new HipVisionException("the HIP backend supports graphs with exactly one input");
        var lowering = new HipLowering(BatchNormFolding.Apply(graph), precision);
        graph = lowering._graph;
        foreach (var node in graph.Nodes) lowering.Visit(node);
        foreach (var (name, node) in graph.Outputs)
            if (!lowering._storage.ContainsKey(node))
                throw new HipVisionException($"the HIP backend cannot return output '{name}' ({node}): it is folded into another step or a constant");
        return lowering;
    }

    /// <summary>Constants and reshapes of constants: weights, uploaded once.</summary>
    public static bool IsConstant(Node node) => node.Kind == OpKind.Constant || (node.Kind == OpKind.Reshape && IsConstant(node.Inputs[0]));

    /// <summary>The constant a weight node (a constant or a reshape of one) reads its data from.</summary>
    public static Node ConstantRoot(Node node) => node.Kind == OpKind.Reshape ? ConstantRoot(node.Inputs[0]) : node;

    /// <summary>hv_attention's limit (native/include/hipvision.h): larger heads are HV_ERROR_UNSUPPORTED there.</summary>
    public const int MaxAttentionHeadDim = 128;

    static string NameOf(Node node) => node.Name.Length > 0 ? node.Name : $"%{node.Id}";

    bool OnlyConsumer(Node node, Node consumer) => !_outputs.Contains(node) && _consumers[node].Count == 1 && _consumers[node][0] == consumer;

    HipVisionException Unsupported(Node node, string why = "") => new(
        $"the HIP backend does not support {node.Kind}{(why.Length > 0 ? " " + why : "")} (node {node}); it runs the ViT, BEiT, " +
        "MobileNetV1 and EfficientNet ops: run this model on the CPU backend (--backend cpu)");

    void Emit(Node writes, string op, IReadOnlyList<Node> reads, Func<HipStepBinding, Action> bind, long scratchBytes = 0) =>
        Emit([writes], op, reads, bind, scratchBytes);

    void Emit(Node[] writes, string op, IReadOnlyList<Node> reads, Func<HipStepBinding, Action> bind, long scratchBytes = 0)
    {
        foreach (var w in writes) _storage[w] = w;
        Steps.Add(new HipStep(NameOf(writes[0]), op, writes, reads.Where(r => !IsConstant(r)).ToArray(), scratchBytes, bind));
    }

    void Visit(Node node)
    {
        if (IsConstant(node) || _folded.Contains(node) || _storage.ContainsKey(node)) return;
        switch (node.Kind)
        {
            case OpKind.Input:
                _storage[node] = node;
                return;
            case OpKind.Reshape:
                if (!_storage.TryGetValue(node.Inputs[0], out var root)) throw Unsupported(node, "of a folded value");
                _storage[node] = root;
                return;
            case OpKind.Linear: Linear(node); return;
            case OpKind.PatchEmbedding: PatchEmbedding(node); return;
            case OpKind.LayerNorm: LayerNorm(node); return;
            case OpKind.Attention: Attention(node); return;
            case OpKind.Gelu or OpKind.Relu6 or OpKind.Silu or OpKind.Sigmoid: Activation(node); return;
            case OpKind.Softmax:
            {
                long cols = node.Shape[^1], rows = node.ElementCount / Math.Max(cols, 1);
                Emit(node, "Softmax", node.Inputs, b => { var x = b.Buffer(node.Inputs[0]); var y = b.Buffer(node); return () => b.Device.Softmax(x, y, rows, cols); });
                return;
            }
            case OpKind.Add: Add(node); return;
            case OpKind.Mul: Mul(node); return;
            case OpKind.Expand: Expand(node); return;
            case OpKind.Concat: Concat(node); return;
            case OpKind.Slice: Slice(node); return;
            case OpKind.ReduceMean: ReduceMean(node); return;
            case OpKind.Conv2d: Conv2d(node); return;
            case OpKind.SqueezeExcite: SqueezeExcite(node); return;
            case OpKind.GlobalAvgPool: GlobalAvgPool(node); return;
            case OpKind.BatchNorm: BatchNorm(node); return;
            default: throw Unsupported(node);
        }
    }

    void Linear(Node node)
    {
        var x = node.Inputs[0];
        var weight = node.Inputs[1];
        var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
        if (!IsConstant(weight) || (bias != null && !IsConstant(bias))) throw Unsupported(node, "with run-time weights");
        long inFeatures = weight.Shape[1], outFeatures = weight.Shape[0], rows = x.ElementCount / inFeatures;
        var activation = NativeActivation.None;
        Node? gelu = _consumers[node] is [{ Kind: OpKind.Gelu } only] && OnlyConsumer(node, only) ? only : null;
        if (gelu != null) activation = NativeActivation.Gelu;
        Emit(node, activation == NativeActivation.Gelu ? "Linear+Gelu" : "Linear", [x], b =>
        {
            var (bx, bw, bb, by) = (b.Buffer(x), b.Buffer(weight), bias is null ? null : b.Buffer(bias), b.Buffer(node));
            return () => b.Device.Linear(bx, bw, bb, by, rows, inFeatures, outFeatures, activation);
        });
        if (gelu != null) _storage[gelu] = node;
    }

    void PatchEmbedding(Node node)
    {
        var x = node.Inputs[0];
        var (weight, bias) = (node.Inputs[1], node.Inputs[2]);
        if (!IsConstant(weight) || !IsConstant(bias)) throw Unsupported(node, "with run-time weights");
        int p = node.Attr<PatchAttributes>().PatchSize;
        int batch = x.Shape[0], channels = x.Shape[1], height = x.Shape[2], width = x.Shape[3];
        if (height % p != 0 || width % p != 0) throw Unsupported(node, $"of a {height}x{width} image that is not a multiple of the patch size {p}");
        long rows = (long)batch * node.Shape[1], inFeatures = (long)channels * p * p, outFeatures = node.Shape[2];
        Emit(node, "PatchEmbedding", [x], b =>
        {
            var (bx, patches, bw, bb, by) = (b.Buffer(x), b.Scratch!, b.Buffer(weight), b.Buffer(bias), b.Buffer(node));
            return () =>
            {
                b.Device.PatchEmbed(bx, patches, batch, channels, height, width, p);
                b.Device.Linear(patches, bw, bb, by, rows, inFeatures, outFeatures);   // weight [D, C, p, p] read as [D, C·p·p]
            };
        }, scratchBytes: x.ElementCount * _elementSize);
    }

    void LayerNorm(Node node)
    {
        var (x, gamma, beta) = (node.Inputs[0], node.Inputs[1], node.Inputs[2]);
        if (!IsConstant(gamma) || !IsConstant(beta)) throw Unsupported(node, "with run-time gamma/beta");
        long cols = node.Shape[^1], rows = node.ElementCount / cols;
        float eps = (float)node.Attr<EpsilonAttributes>().Epsilon;
        Emit(node, "LayerNorm", [x], b =>
        {
            var (bx, bg, bb, by) = (b.Buffer(x), b.Buffer(gamma), b.Buffer(beta), b.Buffer(node));
            return () => b.Device.LayerNorm(bx, bg, bb, by, rows, cols, eps);
        });
    }

    void Attention(Node node)
    {
        var a = node.Attr<AttentionAttributes>();
        var qkv = node.Inputs[0];
        var bias = node.Inputs.Count > 1 ? node.Inputs[1] : null;
        if (bias != null && (!IsConstant(bias) || bias.Shape.Length != 3)) throw Unsupported(node, "with a per-image or run-time bias (hv_attention takes [heads, T, T] constants)");
        int batch = node.Shape[0], tokens = node.Shape[1], headDim = node.Shape[2] / a.Heads;
        if (headDim > MaxAttentionHeadDim) throw Unsupported(node, $"with head_dim {headDim} (hv_attention takes at most {MaxAttentionHeadDim})");
        if (batch > NativeDevice.MaxAttentionGrid || a.Heads > NativeDevice.MaxAttentionGrid)
            throw Unsupported(node, $"of batch {batch} with {a.Heads} heads (hv_attention takes at most {NativeDevice.MaxAttentionGrid} of each)");
        Emit(node, "Attention", [qkv], b =>
        {
            var (bq, bb, by) = (b.Buffer(qkv), bias is null ? null : b.Buffer(bias), b.Buffer(node));
            return () => b.Device.Attention(bq, bb, by, batch, tokens, a.Heads, headDim, a.Scale);
        });
    }

    /// <summary>
    /// y = a + b with b equal in shape or broadcast over leading rows (ViT's position embeddings [1, T, D] over [B, T, D]);
    /// an add of a folded layer scale becomes one <c>hv_layer_scale</c> with the residual.
    /// </summary>
    void Add(Node node)
    {
        var (a, b) = (node.Inputs[0], node.Inputs[1]);
        if (_folded.Contains(b)) (a, b) = (b, a);
        if (_folded.Contains(a))
        {
            var (x, gamma) = LayerScaleOperands(a)!.Value;
            long cols = node.Shape[^1], rows = node.ElementCount / cols;
            Emit(node, "LayerScale+Add", [x, b], c =>
            {
                var (bx, bg, br, by) = (c.Buffer(x), c.Buffer(gamma), c.Buffer(b), c.Buffer(node));
                return () => c.Device.LayerScale(bx, bg, br, by, rows, cols);
            });
            return;
        }
        if (!a.Shape.SequenceEqual(node.Shape)) (a, b) = (b, a);
        if (!a.Shape.SequenceEqual(node.Shape) || IsConstant(a)) throw Unsupported(node, $"of {ShapeMath.Format(node.Inputs[0].Shape)} and {ShapeMath.Format(node.Inputs[1].Shape)}");
        if (_layout.IsNhwc(a) != _layout.IsNhwc(node) || _layout.IsNhwc(b) != _layout.IsNhwc(node))
            throw Unsupported(node, "of an NHWC and an NCHW tensor");
        long bRows = TrailingRows(b.Shape, node.Shape);
        if (bRows < 0) throw Unsupported(node, $"broadcasting {ShapeMath.Format(b.Shape)} over {ShapeMath.Format(node.Shape)} (only whole trailing rows broadcast)");
        long cols2 = node.Shape[^1], rows2 = node.ElementCount / cols2;
        if (bRows == rows2 && !IsConstant(b) && FusableLayerNorm(node) is { } ln)
        {
            // The pre-norm residual step: the sum stays for the next residual, the normalised copy feeds the next block.
            var (gamma, beta) = (ln.Inputs[1], ln.Inputs[2]);
            float eps = (float)ln.Attr<EpsilonAttributes>().Epsilon;
            Emit([node, ln], "Add+LayerNorm", [a, b], c =>
            {
                var (ba, bb, bg, bbeta, bs, by) = (c.Buffer(a), c.Buffer(b), c.Buffer(gamma), c.Buffer(beta), c.Buffer(node), c.Buffer(ln));
                return () => c.Device.AddLayerNorm(ba, bb, bg, bbeta, bs, by, rows2, cols2, eps);
            });
            return;
        }
        Emit(node, "Add", [a, b], c =>
        {
            var (ba, bb, by) = (c.Buffer(a), c.Buffer(b), c.Buffer(node));
            return () => c.Device.Add(ba, bb, by, rows2, cols2, bRows);
        });
    }

    /// <summary>The first LayerNorm (constant gamma/beta) reading <paramref name="add"/>, which hv_add_layer_norm computes with it.</summary>
    Node? FusableLayerNorm(Node add) => _consumers[add].FirstOrDefault(c =>
        c.Kind == OpKind.LayerNorm && c.Inputs[0] == add && IsConstant(c.Inputs[1]) && IsConstant(c.Inputs[2]) && !_storage.ContainsKey(c));

    /// <summary>
    /// How many rows of the last dimension <paramref name="b"/> holds when it broadcasts over <paramref name="y"/> by whole
    /// leading rows (b, left-padded with 1s, is 1…1 followed by a suffix of y's shape), or −1.
    /// </summary>
    static long TrailingRows(int[] b, int[] y)
    {
        if (b.Length > y.Length || b.Length == 0) return -1;
        var padded = Enumerable.Repeat(1, y.Length - b.Length).Concat(b).ToArray();
        int k = 0;
        while (k < y.Length - 1 && padded[k] == 1) k++;
        for (int i = k; i < y.Length; i++) if (padded[i] != y[i]) return -1;
        return ShapeMath.Count(b) / y[^1];
    }

    /// <summary>The (activation, per-channel constant) of a layer-scale Mul, or null when the Mul is not one.</summary>
    static (Node X, Node Gamma)? LayerScaleOperands(Node mul)
    {
        foreach (var (x, gamma) in new[] { (mul.Inputs[0], mul.Inputs[1]), (mul.Inputs[1], mul.Inputs[0]) })
            if (!IsConstant(x) && IsConstant(gamma) && x.Shape.SequenceEqual(mul.Shape) && gamma.ElementCount == mul.Shape[^1]
                && (gamma.Shape.Length == 1 || gamma.Shape.Take(gamma.Shape.Length - 1).All(d => d == 1)))
                return (x, gamma);
        return null;
    }

    /// <summary>
    /// BEiT's layer scale x·λ (λ per channel), folded into the residual add after it when that add is its only reader; or x
    /// times one constant scalar, as a layer scale over rows of one column.
    /// </summary>
    void Mul(Node node)
    {
        var operands = LayerScaleOperands(node);
        if (operands != null && _consumers[node] is [{ Kind: OpKind.Add } add] && OnlyConsumer(node, add))
        {
            var other = add.Inputs[0] == node ? add.Inputs[1] : add.Inputs[0];
            if (other != node && !IsConstant(other) && other.Shape.SequenceEqual(add.Shape) && add.Shape.SequenceEqual(node.Shape))
            {
                _folded.Add(node);
                return;
            }
        }
        var (x, gamma) = operands ?? ScalarOperands(node) ?? throw Unsupported(node, "other than a per-channel or scalar constant scale");
        long cols = gamma.ElementCount == 1 ? 1 : node.Shape[^1], rows = node.ElementCount / cols;
        Emit(node, "LayerScale", [x], b =>
        {
            var (bx, bg, by) = (b.Buffer(x), b.Buffer(gamma), b.Buffer(node));
            return () => b.Device.LayerScale(bx, bg, null, by, rows, cols);
        });
    }

    /// <summary>x and a constant of one element (any rank), when <paramref name="mul"/> is x times that scalar.</summary>
    static (Node X, Node Scalar)? ScalarOperands(Node mul)
    {
        foreach (var (x, scalar) in new[] { (mul.Inputs[0], mul.Inputs[1]), (mul.Inputs[1], mul.Inputs[0]) })
            if (!IsConstant(x) && IsConstant(scalar) && scalar.ElementCount == 1 && x.Shape.SequenceEqual(mul.Shape))
                return (x, scalar);
        return null;
    }

    /// <summary>The [CLS] token broadcast over the batch: folded into the concat that prepends it.</summary>
    void Expand(Node node)
    {
        bool ok = IsConstant(node.Inputs[0]) && node.Shape.Length == 3 && node.Shape[1] == 1 && node.Inputs[0].ElementCount == node.Shape[2]
            && _consumers[node].Count > 0 && !_outputs.Contains(node)
            && _consumers[node].All(c => c.Kind == OpKind.Concat && c.Inputs.Count == 2 && c.Inputs[0] == node && c.Attr<AxisAttributes>().Axis == 1);
        if (!ok) throw Unsupported(node, "other than a [CLS] token broadcast over the batch");
        _folded.Add(node);
    }

    void Concat(Node node)
    {
        var token = node.Inputs.Count == 2 ? node.Inputs[0] : null;
        bool ok = token != null && node.Shape.Length == 3 && node.Attr<AxisAttributes>().Axis == 1 && token.Shape.Length == 3 && token.Shape[1] == 1
            && (_folded.Contains(token) || (IsConstant(token) && node.Shape[0] == 1)) && !IsConstant(node.Inputs[1]);
        if (!ok) throw Unsupported(node, "other than prepending a [CLS] token along axis 1");
        var constant = _folded.Contains(token!) ? token!.Inputs[0] : token!;
        var x = node.Inputs[1];
        int batch = node.Shape[0], tokens = x.Shape[1], dim = node.Shape[2];
        Emit(node, "PrependToken", [x], b =>
        {
            var (bt, bx, by) = (b.Buffer(constant), b.Buffer(x), b.Buffer(node));
            return () => b.Device.PrependToken(bt, bx, by, batch, tokens, dim);
        });
    }

    void Slice(Node node)
    {
        var s = node.Attr<SliceAttributes>();
        var x = node.Inputs[0];
        if (x.Shape.Length != 3 || s.Axis != 1) throw Unsupported(node, "other than along the token axis of [B, T, D]");
        if (s.End - s.Start == 1)
        {
            int batch = x.Shape[0], tokens = x.Shape[1], dim = x.Shape[2];
            Emit(node, "SliceToken", [x], b =>
            {
                var (bx, by) = (b.Buffer(x), b.Buffer(node));
                return () => b.Device.SliceToken(bx, by, batch, tokens, dim, s.Start);
            });
            return;
        }
        bool meanOnly = s.End == x.Shape[1] && !_outputs.Contains(node) && _consumers[node].Count > 0
            && _consumers[node].All(c => c.Kind == OpKind.ReduceMean && c.Attr<AxisAttributes>().Axis == 1);
        if (!meanOnly) throw Unsupported(node, "of several tokens not read by a mean over tokens");
        _folded.Add(node);
    }

    void ReduceMean(Node node)
    {
        var x = node.Inputs[0];
        if (x.Shape.Length != 3 || node.Attr<AxisAttributes>().Axis != 1) throw Unsupported(node, "other than over the token axis of [B, T, D]");
        int first = 0;
        if (_folded.Contains(x))
        {
            first = x.Attr<SliceAttributes>().Start;
            x = x.Inputs[0];
        }
        int batch = x.Shape[0], tokens = x.Shape[1], dim = x.Shape[2];
        Emit(node, "MeanTokens", [x], b =>
        {
            var (bx, by) = (b.Buffer(x), b.Buffer(node));
            return () => b.Device.MeanTokens(bx, by, batch, tokens, dim, first);
        });
    }
}
