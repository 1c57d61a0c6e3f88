using System.Diagnostics;
using HipVision.Graph;
using HipVision.Interop;

namespace HipVision.Backends.Hip;

/// <summary>
/// A graph compiled for one HIP context (one device, one stream): weights uploaded once (by the backend, shared by its plans),
/// every activation and scratch buffer placed by lifetime into one device arena laid out by <see cref="MemoryPlanner"/>
/// (each tensor a view of the arena at its planned offset), and the launch sequence bound once to those views as a list of
/// delegates. The first Run captures the delegates' launches into a graph (<see cref="NativeGraph"/>: hipGraph / CUDA graph /
/// the emulator's recording; a plan is one batch shape, so one graph per plan); every Run uploads the input, replays the graph
/// with one call and waits; CopyOutput downloads. With <see cref="ProfilingEnabled"/> the delegates run one by one instead
/// (uncaptured), each timed.
/// At fp16/bf16 (the backend's <see cref="HipBackend.Precision"/>) the weights (the backend's), the arena and every view in it are that type, so the
/// device holds and moves half the bytes; the host converts at the edges: the input is narrowed on the host as it is uploaded
/// (half the upload, and one captured graph serves both an uploaded input and one <see cref="HipPreprocessor"/> wrote in the
/// storage type on the device), outputs are widened as they are downloaded (exact). The host conversions are bit-identical to
/// <c>hv_cast</c>, so this is the tensor a device-side cast would have made.
/// </summary>
internal sealed class HipExecutionPlan : IExecutionPlan
{
    readonly NativeDevice _device;
    readonly List<NativeBuffer> _owned = [];
    readonly Dictionary<Node, NativeBuffer> _activations = [];
    readonly Dictionary<HipStep, NativeBuffer> _scratch = new(ReferenceEqualityComparer.Instance);
    readonly Func<float[], NativeBuffer> _weight;
    readonly Precision _precision;
    readonly HashSet<float[]> _weightsUsed = new(ReferenceEqualityComparer.Instance);
    readonly List<(string Name, string Op, Action Launch)> _launches = [];
    readonly Dictionary<string, (NativeBuffer Buffer, long Count, int[]? NhwcShape)> _outputs = [];
    readonly NativeBuffer _input;
    readonly long _inputCount;
    readonly List<(string, string, double)> _profile = [];
    NativeGraph? _graph;
    bool _disposed;

    /// <param name="device">The context every step runs on.</param>
    /// <param name="graph">The graph; compile fails with a <see cref="HipVisionException"/> naming an op the backend lacks.</param>
    /// <param name="weight">The device copy of a constant's data in <paramref name="precision"/> (uploaded once per array, owned by the caller).</param>
    /// <param name="precision">The type every tensor of the plan is stored in.</param>
    public HipExecutionPlan(NativeDevice device, ModelGraph graph, Func<float[], NativeBuffer> weight, Precision precision)
    {
        long buildStart = Stopwatch.GetTimestamp();
        _device = device;
        _weight = weight;
        _precision = precision;
        var lowering = HipLowering.Lower(graph, precision);
        graph = lowering.Graph;   // BatchNorm folded
        try
        {
            Place(graph, lowering);
            var input = graph.Inputs[0];
            _input = _activations[lowering.Storage[input]];
            _inputCount = input.ElementCount;
            InputShape = input.Shape;
            foreach (var step in lowering.Steps)
            {
                var binding = new HipStepBinding(_device, node => Buffer(node, lowering), _scratch.GetValueOrDefault(step), Tuned);
                _launches.Add((step.Name, step.Op, step.Bind(binding)));
            }
            foreach (var (name, node) in graph.Outputs)
                _outputs[name] = (_activations[lowering.Storage[node]], node.ElementCount,
                    lowering.IsNhwc(node) ? [node.Shape[0], node.Shape[2], node.Shape[3], node.Shape[1]] : null);
            Outputs = graph.Outputs.Select(o => (o.Name, o.Node.Shape)).ToArray();
            BuildMilliseconds = Stopwatch.GetElapsedTime(buildStart).TotalMilliseconds;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string BackendName => "hip";

    /// <summary>Wall milliseconds this plan took to build: lowering, arena, weight uploads, binding, and each convolution's preparation.</summary>
    public double BuildMilliseconds { get; }

    /// <summary>
    /// What preparing the plan's dense convolutions did: <see cref="NativeTuning.Cold"/> when any ran the vendor's find step now,
    /// <see cref="NativeTuning.Warm"/> when all came from the tuning cache, <see cref="NativeTuning.None"/> when there was nothing to
    /// tune (no dense convolution, or no vendor library: the direct kernel).
    /// </summary>
    public NativeTuning Tuning { get; private set; }

    /// <summary>Dense convolutions prepared, by what their preparation did.</summary>
    public IReadOnlyDictionary<NativeTuning, int> TunedConvolutions => _tuned;

    readonly Dictionary<NativeTuning, int> _tuned = [];

    void Tuned(NativeTuning tuning)
    {
        _tuned[tuning] = _tuned.GetValueOrDefault(tuning) + 1;
        Tuning = _tuned.ContainsKey(NativeTuning.Cold) ? NativeTuning.Cold : _tuned.ContainsKey(NativeTuning.Warm) ? NativeTuning.Warm : NativeTuning.None;
    }

    /// <summary>The device the plan runs on, for reports.</summary>
    public string DeviceName => _device.Description;

    public int[] InputShape { get; }

    public IReadOnlyList<(string Name, int[] Shape)> Outputs { get; }

    /// <summary>Bytes of the device arena holding every activation and scratch buffer.</summary>
    public long PeakBytes { get; private set; }

    /// <summary>Bytes of the weights this plan reads (held by the backend, shared with its other plans).</summary>
    public long WeightBytes { get; private set; }

    /// <summary>Number of launch steps replayed per run.</summary>
    public int StepCount => _launches.Count;

    public bool ProfilingEnabled { get; set; }

    /// <summary>Kernel launches one run issues (the captured graph's count); null until the first unprofiled run captures it.</summary>
    public long? LaunchesPerRun => _graph?.LaunchCount;

    /// <summary>
    /// Host milliseconds the last run spent issuing its kernels: the one graph replay call (the capture itself, on the first
    /// run, is not counted), or all the individual launches when profiling. Compare with the whole run's time.
    /// </summary>
    public double LastIssueMilliseconds { get; private set; }

    /// <summary>Why the launch sequence could not be captured (the plan then launches step by step), or null.</summary>
    public string? CaptureError { get; private set; }

    public IReadOnlyList<(string Name, string Op, double Milliseconds)> Profile => _profile;

    public void Run(ReadOnlySpan<float> input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (input.Length != _inputCount)
            throw new ArgumentException($"input has {input.Length} values, the plan expects {ShapeMath.Format(InputShape)} = {_inputCount}");
        _input.Upload(input);
        Launch();
    }

    /// <summary>The device buffer of the input ([B, C, H, W], in the plan's storage type): <see cref="HipPreprocessor"/> writes images straight into it.</summary>
    internal NativeBuffer InputBuffer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _input;
        }
    }

    /// <summary>Runs on what <see cref="InputBuffer"/> holds now (filled on the device), without an upload.</summary>
    internal void RunOnDeviceInput()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Launch();
    }

    void Launch()
    {
        _profile.Clear();
        if (!ProfilingEnabled)
        {
            // Captured once (the input upload stays outside the graph: it happens before, the download after).
            if (_graph is null && CaptureError is null)
            {
                try
                {
                    _graph = _device.Capture(() =>
                    {
                        foreach (var (_, _, launch) in _launches) launch();
                    });
                }
                catch (HipVisionException e)
                {
                    // A runtime or vendor library that cannot capture (the capture was ended natively): launch one by one
                    // from now on; a genuine op error surfaces again from the uncaptured launches below.
                    CaptureError = e.Message;
                }
            }
            long issue = Stopwatch.GetTimestamp();
            if (_graph is not null) _graph.Launch();
            else foreach (var (_, _, launch) in _launches) launch();
            LastIssueMilliseconds = Stopwatch.GetElapsedTime(issue).TotalMilliseconds;
            _device.Synchronize();
            return;
        }
        // Kernels are asynchronous: a per-step time needs a wait after each step (slower, but honest), so the steps
        // run uncaptured, one launch at a time.
        _device.Synchronize();
        double issued = 0;
        foreach (var (name, op, launch) in _launches)
        {
            long start = Stopwatch.GetTimestamp();
            launch();
            issued += Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            _device.Synchronize();
            _profile.Add((name, op, Stopwatch.GetElapsedTime(start).TotalMilliseconds));
        }
        LastIssueMilliseconds = issued;
    }

    public void CopyOutput(string name, Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_outputs.TryGetValue(name, out var o)) throw new ArgumentException($"plan has no output '{name}'");
        if (destination.Length != o.Count) throw new ArgumentException($"output '{name}' has {o.Count} values, destination holds {destination.Length}");
        if (o.NhwcShape is not { } nhwc)
        {
            o.Buffer.Download(destination);
            return;
        }
        // Channels-last on the device (a convnet's hidden state): the caller gets the graph's NCHW.
        var stored = new float[o.Count];
        o.Buffer.Download(stored);
        int batch = nhwc[0], hw = nhwc[1] * nhwc[2], c = nhwc[3];
        for (int b = 0; b < batch; b++)
            for (int p = 0; p < hw; p++)
                for (int ch = 0; ch < c; ch++)
                    destination[(b * c + ch) * hw + p] = stored[((long)b * hw + p) * c + ch];
    }

    /// <summary>Frees the plan's graph and device buffers (activations, scratch); weights and the context stay with the backend. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _graph?.Dispose();
        _graph = null;
        foreach (var buffer in _owned) buffer.Dispose();
        _owned.Clear();
        _launches.Clear();
    }

    NativeBuffer Own(NativeBuffer buffer)
    {
        _owned.Add(buffer);
        return buffer;
    }

    /// <summary>The buffer of an activation (through views) or of a weight (the backend's copy of the constant's array).</summary>
    NativeBuffer Buffer(Node node, HipLowering lowering)
    {
        if (!HipLowering.IsConstant(node)) return _activations[lowering.Storage[node]];
        var data = HipLowering.ConstantRoot(node).Data!;
        if (_weightsUsed.Add(data)) WeightBytes += (long)data.Length * _precision.ElementSize();
        return _weight(data);
    }

    /// <summary>
    /// Lifetimes per storage root (from the step that writes it to the last step that reads it; the input from the start,
    /// graph outputs to the end) and per scratch (its step only), then offsets in one arena by <see cref="MemoryPlanner"/>
    /// (256-byte aligned, as the kernels assume; sized by the precision's element size), one view per tensor, of the arena's type.
    /// </summary>
    void Place(ModelGraph graph, HipLowering lowering)
    {
        var first = new Dictionary<Node, int> { [lowering.Storage[graph.Inputs[0]]] = 0 };
        var last = new Dictionary<Node, int> { [lowering.Storage[graph.Inputs[0]]] = 0 };
        for (int i = 0; i < lowering.Steps.Count; i++)
        {
            var step = lowering.Steps[i];
            foreach (var written in step.Writes)
            {
                first[written] = i;
                last[written] = Math.Max(last.GetValueOrDefault(written), i);
            }
            foreach (var read in step.Reads)
            {
                var root = lowering.Storage[read];
                last[root] = Math.Max(last[root], i);
            }
        }
        foreach (var (_, node) in graph.Outputs) last[lowering.Storage[node]] = int.MaxValue;

        var roots = first.Keys.ToArray();
        int size = _precision.ElementSize();
        var scratchSteps = Enumerable.Range(0, lowering.Steps.Count).Where(i => lowering.Steps[i].ScratchBytes > 0).ToArray();
        var requests = roots.Select(r => new MemoryPlanner.Request(r.ElementCount * size, first[r], last[r]))
            .Concat(scratchSteps.Select(i => new MemoryPlanner.Request((lowering.Steps[i].ScratchBytes + size - 1) / size * size, i, i))).ToArray();
        var (offsets, arenaBytes) = MemoryPlanner.Plan(requests, alignment: 256);
        var arena = Own(_device.Allocate((arenaBytes + size - 1) / size, _precision));
        PeakBytes = arenaBytes;
        NativeBuffer View(int i) => Own(arena.View(offsets[i] / size, requests[i].Bytes / size));
        for (int i = 0; i < roots.Length; i++) _activations[roots[i]] = View(i);
        for (int j = 0; j < scratchSteps.Length; j++) _scratch[lowering.Steps[scratchSteps[j]]] = View(roots.Length + j);
    }
}
