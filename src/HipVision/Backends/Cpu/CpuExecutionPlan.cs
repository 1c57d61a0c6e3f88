using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HipVision.Backends.Cpu.Ops;
using HipVision.Graph;

namespace HipVision.Backends.Cpu;

/// <summary>
/// A graph compiled for the CPU: one pinned arena laid out by <see cref="MemoryPlanner"/> (intermediate tensors
/// share bytes when their lifetimes do not overlap; reshapes are views), constants pinned in place, GEMM weights
/// packed, and one <see cref="CpuStep"/> per operation with every pointer resolved. Run only replays the steps.
/// </summary>
internal sealed unsafe class CpuExecutionPlan : IExecutionPlan
{
    readonly List<CpuStep> _steps = [];
    readonly List<GCHandle> _pins = [];
    readonly Dictionary<Node, CpuTensor> _tensors = [];
    readonly Dictionary<string, CpuTensor> _outputs = [];
    readonly HashSet<string> _nhwcOutputs = [];
    readonly float* _base;
    readonly CpuTensor _input;
    readonly List<(string, string, double)> _profile = [];

    public CpuExecutionPlan(ModelGraph graph, int threads, Func<Node, PackedMatrix> packLinear)
    {
        if (graph.Inputs.Count != 1) throw new ArgumentException("the CPU plan supports graphs with exactly one input");
        _fused = ActivationFusion.Find(graph, CanFuseActivation);
        _channelsLast = ChannelsLastLayout.Find(graph);
        _excite = ExciteFusion.Find(graph, _channelsLast);
        var layout = new ArenaLayout(graph, node => ScratchFloats(node, threads), ViewOf);
        _base = HugePageMemory.Allocate(layout.ArenaFloats * sizeof(float));
        PeakBytes = layout.ArenaFloats * sizeof(float);
        Threads = threads;

        foreach (var node in graph.Nodes)
        {
            if (IsConstant(node)) continue;
            var step = CreateStep(node, layout, packLinear);
            if (step != null) _steps.Add(step);
        }
        _input = Tensor(graph.Inputs[0]);
        foreach (var (name, node) in graph.Outputs)
        {
            _outputs[name] = Tensor(node);
            if (_channelsLast.IsNhwc(node)) _nhwcOutputs.Add(name);
        }
        Outputs = graph.Outputs.Select(o => (o.Name, o.Node.Shape)).ToArray();
        WeightBytes = _weightBytes;
    }

    int Threads { get; }

    bool _disposed;

    long _weightBytes;

    public string BackendName => "cpu";

    public int[] InputShape => _input.Shape;

    public IReadOnlyList<(string Name, int[] Shape)> Outputs { get; }

    public long PeakBytes { get; }

    public long WeightBytes { get; }

    public bool ProfilingEnabled { get; set; }

    public IReadOnlyList<(string Name, string Op, double Milliseconds)> Profile => _profile;

    public void Run(ReadOnlySpan<float> input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (input.Length != _input.Count)
            throw new ArgumentException($"input has {input.Length} values, the plan expects {ShapeMath.Format(_input.Shape)} = {_input.Count}");
        input.CopyTo(_input.Span);
        _profile.Clear();
        using var warm = WorkerPool.StayAwake();
        if (!ProfilingEnabled)
        {
            foreach (var step in _steps) step.Run();
            return;
        }
        foreach (var step in _steps)
        {
            long start = Stopwatch.GetTimestamp();
            step.Run();
            _profile.Add((step.Name, step.Op, Stopwatch.GetElapsedTime(start).TotalMilliseconds));
        }
    }

    public void CopyOutput(string name, Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_outputs.TryGetValue(name, out var t)) throw new ArgumentException($"plan has no output '{name}'");
        if (destination.Length != t.Count) throw new ArgumentException($"output '{name}' has {t.Count} values, destination holds {destination.Length}");
        if (!_nhwcOutputs.Contains(name))
        {
            t.Span.CopyTo(destination);
            return;
        }
        int batch = t.Shape[0], hw = t.Shape[1] * t.Shape[2], c = t.Shape[3];
        for (int b = 0; b < batch; b++)
            for (int p = 0; p < hw; p++)
                for (int ch = 0; ch < c; ch++)
                    destination[(b * c + ch) * hw + p] = t.Pointer[((long)b * hw + p) * c + ch];
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var pin in _pins) pin.Free();
        _pins.Clear();
        HugePageMemory.Free(_base);
    }

    /// <summary>Which tensors live channels-last (NHWC) in this plan.</summary>
    readonly ChannelsLastLayout _channelsLast;

    /// <summary>Activations folded into the step of the convolution before them (the activation node becomes a view).</summary>
    readonly ActivationFusion _fused;

    /// <summary>Squeeze-excite scales folded into the 1×1 convolution after them.</summary>
    readonly ExciteFusion _excite;

    /// <summary>The squeeze-excite steps made so far, for the convolutions that apply their scales.</summary>
    readonly Dictionary<Node, SqueezeExciteNhwcStep> _exciteSteps = [];

    /// <summary>The depthwise steps made so far, for a squeeze-excite that pools their rows as they are written.</summary>
    readonly Dictionary<Node, DepthwiseConv2dNhwcStep> _depthwiseSteps = [];

    /// <summary>The node whose storage <paramref name="node"/> shares (reshapes, fused activations, fused excites), or null.</summary>
    Node? ViewOf(Node node) =>
        node.Kind == OpKind.Reshape || _excite.IsFused(node) ? node.Inputs[0] : _fused.ProducerOf(node);

    /// <summary>Convolutions whose steps apply a following activation themselves: dense (im2col, 1×1) and depthwise.</summary>
    static bool CanFuseActivation(Node node) =>
        node.Kind == OpKind.Conv2d && (node.Attr<Conv2dAttributes>().Groups == 1 || DepthwiseConv2dStep.Supports(node));

    /// <summary>A 1×1 convolution the pointwise step runs straight on NCHW.</summary>
    static bool IsPointwiseConv(Node node)
    {
        if (node.Kind != OpKind.Conv2d) return false;
        var a = node.Attr<Conv2dAttributes>();
        var w = node.Inputs[1].Shape;
        return a.Groups == 1 && w[2] == 1 && w[3] == 1 && a.StrideH == 1 && a.StrideW == 1 && a.Padding == default;
    }

    long ScratchFloats(Node node, int threads) => node.Kind switch
    {
        OpKind.Conv2d when _channelsLast.IsNhwc(node) =>
            node.Attr<Conv2dAttributes>().Groups != 1 || Conv2dNhwcStep.IsDirect(_channelsLast.IsNhwc(node.Inputs[0]), node.Inputs[1].Shape[2], node.Inputs[1].Shape[3], node.Attr<Conv2dAttributes>())
                ? 0 : (long)node.Shape[2] * node.Shape[3] * (node.Inputs[1].ElementCount / node.Inputs[1].Shape[0]),
        OpKind.Conv2d when IsPointwiseConv(node) => PointwiseConv2dStep.ScratchFloatsPerThread(node.Shape[1], node.Inputs[0].Shape[1]) * threads,
        OpKind.Attention => AttentionStep.ScratchFloatsPerThread(node.Shape[1], node.Shape[2] / node.Attr<AttentionAttributes>().Heads) * threads,
        OpKind.PatchEmbedding => (long)node.Shape[0] * node.Shape[1] * node.Inputs[1].ElementCount / node.Inputs[1].Shape[0],
        OpKind.Conv2d when node.Attr<Conv2dAttributes>().Groups == 1 =>
            (long)node.Shape[2] * node.Shape[3] * (node.Inputs[1].ElementCount / node.Inputs[1].Shape[0] + node.Shape[1]),
        _ => 0,
    };

    CpuTensor Tensor(Node node)
    {
        if (_tensors.TryGetValue(node, out var t)) return t;
        if (node.Kind == OpKind.Reshape && IsConstant(node))
            return _tensors[node] = new CpuTensor(Tensor(node.Inputs[0]).Address, node.Shape);
        if (node.Kind != OpKind.Constant) throw new InvalidOperationException($"{node} has no storage");
        var pin = GCHandle.Alloc(node.Data!, GCHandleType.Pinned);
        _pins.Add(pin);
        _weightBytes += node.ElementCount * sizeof(float);
        t = new CpuTensor(pin.AddrOfPinnedObject(), node.Shape);
        _tensors[node] = t;
        return t;
    }

    /// <summary>Constants and reshapes of constants: weights, never in the arena.</summary>
    static bool IsConstant(Node node) => node.Kind == OpKind.Constant || (node.Kind == OpKind.Reshape && IsConstant(node.Inputs[0]));

    nint Optional(Node node, int index) => node.Inputs.Count > index ? Tensor(node.Inputs[index]).Address : 0;

    CpuStep? CreateStep(Node node, ArenaLayout layout, Func<Node, PackedMatrix> packLinear)
    {
        var y = new CpuTensor((nint)(_base + layout.Offset(node)), _channelsLast.StorageShape(node));
        _tensors[node] = y;
        // The input is copied in by Run; reshapes and fused activations are views written by an earlier step.
        // A fused squeeze-excite is a view too, but its step still computes the scales.
        if (node.Kind == OpKind.Input || (ViewOf(node) != null && !_excite.IsFused(node))) return null;
        var x = Tensor(node.Inputs[0]);
        var name = node.Name.Length > 0 ? node.Name : $"%{node.Id}";
        int threads = Threads;
        CpuTensor Scratch() => new((nint)(_base + layout.ScratchOffset(node)), [(int)ScratchFloats(node, threads)]);
        PackedMatrix Packed(Node weight)
        {
            var packed = packLinear(weight);
            _weightBytes += (long)packed.K * packed.N * sizeof(float);
            return packed;
        }
        switch (node.Kind)
        {
            case OpKind.Linear:
                return new LinearStep(name, x, Packed(node.Inputs[1]), Optional(node, 2), y, threads);
            case OpKind.PatchEmbedding:
                return new PatchEmbeddingStep(name, x, Packed(node.Inputs[1]), Optional(node, 2), y, node.Attr<PatchAttributes>().PatchSize, Scratch(), threads);
            case OpKind.Conv2d:
            {
                var a = node.Attr<Conv2dAttributes>();
                var w = node.Inputs[1];
                if (_channelsLast.IsNhwc(node))
                {
                    if (a.Groups != 1)
                        return _depthwiseSteps[node] = new DepthwiseConv2dNhwcStep(name, x, Tensor(w), Optional(node, 2), y, a, _fused.ActivationAfter(node), threads);
                    bool inputNhwc = _channelsLast.IsNhwc(node.Inputs[0]);
                    var gathered = Conv2dNhwcStep.IsDirect(inputNhwc, w.Shape[2], w.Shape[3], a) ? default : Scratch();
                    var excite = _excite.ExciteOf(node) is { } se ? _exciteSteps[se] : null;
                    var conv = new Conv2dNhwcStep(name, x, inputNhwc, Packed(w), Optional(node, 2), y, a, w.Shape[2], w.Shape[3], _fused.ActivationAfter(node), gathered, threads, excite);
                    _weightBytes += conv.ScaledWeightBytes;
                    return conv;
                }
                if (IsPointwiseConv(node))
                    return new PointwiseConv2dStep(name, x, Tensor(w), Optional(node, 2), y, _fused.ActivationAfter(node), Scratch(), threads);
                var activation = _fused.ActivationAfter(node);
                if (a.Groups != 1 && DepthwiseConv2dStep.Supports(node)) return new DepthwiseConv2dStep(name, x, Tensor(w), Optional(node, 2), y, a, activation, threads);
                if (a.Groups != 1) return new GroupedConv2dStep(name, x, Tensor(w), Optional(node, 2), y, a, threads);
                var scratch = Scratch();
                long colsFloats = (long)node.Shape[2] * node.Shape[3] * (w.ElementCount / w.Shape[0]);
                var cols = new CpuTensor(scratch.Address, [(int)colsFloats]);
                var pixelMajor = new CpuTensor((nint)(scratch.Pointer + colsFloats), [node.Shape[2] * node.Shape[3] * node.Shape[1]]);
                return new Conv2dStep(name, x, Packed(w), Optional(node, 2), y, a, w.Shape[2], w.Shape[3], cols, pixelMajor, activation, threads);
            }
            case OpKind.BatchNorm:
                return BatchNormStep.Create(name, x, y, node.Inputs[1].Data!, node.Inputs[2].Data!, node.Inputs[3].Data!, node.Inputs[4].Data!,
                    node.Attr<EpsilonAttributes>().Epsilon);
            case OpKind.LayerNorm:
                return new LayerNormStep(name, x, Tensor(node.Inputs[1]), Tensor(node.Inputs[2]), y, node.Attr<EpsilonAttributes>().Epsilon, threads);
            case OpKind.Gelu or OpKind.Relu6 or OpKind.Silu or OpKind.Sigmoid:
                return new UnaryStep(name, node.Kind, x, y, threads);
            case OpKind.Softmax:
                return new SoftmaxStep(name, x, y, threads);
            case OpKind.Attention:
            {
                var a = node.Attr<AttentionAttributes>();
                CpuTensor? bias = node.Inputs.Count > 1 ? Tensor(node.Inputs[1]) : null;
                return new AttentionStep(name, x, bias, y, a.Heads, a.Scale, Scratch(), threads);
            }
            case OpKind.Add or OpKind.Mul:
                return new BinaryStep(name, node.Kind, x, Tensor(node.Inputs[1]), y, threads);
            case OpKind.Transpose:
                return StridedCopyStep.Transpose(name, x, y, node.Attr<TransposeAttributes>().Permutation);
            case OpKind.Slice:
                return StridedCopyStep.Slice(name, x, y, node.Attr<SliceAttributes>());
            case OpKind.Expand:
                return StridedCopyStep.Expand(name, x, y);
            case OpKind.Concat:
                return new ConcatStep(name, node.Inputs.Select(Tensor).ToArray(), y, node.Attr<AxisAttributes>().Axis);
            case OpKind.ReduceMean:
            {
                int axis = node.Attr<AxisAttributes>().Axis;
                long outer = ShapeMath.Count(x.Shape.AsSpan(0, axis)), inner = ShapeMath.Count(x.Shape.AsSpan(axis + 1));
                return new ReduceMeanStep(name, "ReduceMean", x, y, outer, x.Shape[axis], inner);
            }
            case OpKind.GlobalAvgPool when _channelsLast.IsNhwc(node.Inputs[0]):
                return new GlobalAvgPoolNhwcStep(name, x, y, threads);
            case OpKind.SqueezeExcite when _channelsLast.IsNhwc(node):
            {
                // The depthwise convolution (its activation fused) that wrote x pools its rows for this step.
                var writer = _fused.ProducerOf(node.Inputs[0]) ?? node.Inputs[0];
                return _exciteSteps[node] = new SqueezeExciteNhwcStep(name, x, Tensor(node.Inputs[1]), Tensor(node.Inputs[2]), Tensor(node.Inputs[3]),
                    Tensor(node.Inputs[4]), y, node.Attr<SqueezeExciteAttributes>().Activation, scaleInput: !_excite.IsFused(node), threads,
                    _depthwiseSteps.GetValueOrDefault(writer));
            }
            case OpKind.GlobalAvgPool:
                return new ReduceMeanStep(name, "GlobalAvgPool", x, y, (long)x.Shape[0] * x.Shape[1], x.Shape[2] * x.Shape[3], 1);
            case OpKind.SqueezeExcite:
                return new SqueezeExciteStep(name, x, Tensor(node.Inputs[1]), Tensor(node.Inputs[2]), Tensor(node.Inputs[3]), Tensor(node.Inputs[4]), y,
                    node.Attr<SqueezeExciteAttributes>().Activation, threads);
            default:
                throw new NotSupportedException($"the CPU backend has no kernel for {node.Kind}");
        }
    }

    /// <summary>
    /// Where every activation and scratch buffer lives in the arena: one request per storage root (reshapes
    /// share their input's root), live from its defining step to its last reader (graph outputs to the end).
    /// </summary>
    sealed class ArenaLayout
    {
        readonly Dictionary<Node, long> _offsets = [];
        readonly Dictionary<Node, long> _scratch = [];

        public ArenaLayout(ModelGraph graph, Func<Node, long> scratchFloats, Func<Node, Node?> viewOf)
        {
            var root = new Dictionary<Node, Node>();
            var step = new Dictionary<Node, int>();
            var last = new Dictionary<Node, int>();
            int s = 0;
            foreach (var node in graph.Nodes)
            {
                if (IsConstant(node)) continue;
                step[node] = s++;
                root[node] = viewOf(node) is { } viewed ? root[viewed] : node;
                last[root[node]] = Math.Max(last.GetValueOrDefault(root[node]), step[node]);
                foreach (var input in node.Inputs)
                    if (!IsConstant(input)) last[root[input]] = Math.Max(last[root[input]], step[node]);
            }
            foreach (var (_, output) in graph.Outputs) last[root[output]] = int.MaxValue;

            var requests = new List<MemoryPlanner.Request>();
            var owners = new List<(Node Node, bool IsScratch)>();
            foreach (var node in graph.Nodes)
            {
                if (IsConstant(node)) continue;
                if (root[node] == node)
                {
                    requests.Add(new(node.ElementCount * sizeof(float), step[node], last[node]));
                    owners.Add((node, false));
                }
                long scratch = scratchFloats(node);
                if (scratch > 0)
                {
                    requests.Add(new(scratch * sizeof(float), step[node], step[node]));
                    owners.Add((node, true));
                }
            }
            var (offsets, arenaBytes) = MemoryPlanner.Plan(requests);
            for (int i = 0; i < owners.Count; i++)
                (owners[i].IsScratch ? _scratch : _offsets)[owners[i].Node] = offsets[i] / sizeof(float);
            foreach (var node in graph.Nodes)
                if (!IsConstant(node) && root[node] != node) _offsets[node] = _offsets[root[node]];
            ArenaFloats = arenaBytes / sizeof(float);
        }

        public long ArenaFloats { get; }

        public long Offset(Node node) => _offsets[node];

        public long ScratchOffset(Node node) => _scratch[node];
    }
}
