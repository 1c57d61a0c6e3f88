namespace HipVision.Backends;

/// <summary>
/// A graph compiled by a backend for fixed input shapes: weights prepared once, one arena for every
/// intermediate tensor, the step sequence built once and replayed by <see cref="Run"/>.
/// A plan is not thread-safe: one run at a time (the public model API serialises callers).
/// </summary>
public interface IExecutionPlan : IDisposable
{
    /// <summary>Backend that compiled the plan ("cpu", "hip").</summary>
    string BackendName { get; }

    /// <summary>Shape of the (single) graph input.</summary>
    int[] InputShape { get; }

    /// <summary>Names and shapes of the graph outputs.</summary>
    IReadOnlyList<(string Name, int[] Shape)> Outputs { get; }

    /// <summary>Bytes of the activation arena (every intermediate tensor and scratch buffer): the plan's peak working memory.</summary>
    long PeakBytes { get; }

    /// <summary>Bytes held for weights (including any re-layout such as packed GEMM panels).</summary>
    long WeightBytes { get; }

    /// <summary>Runs the graph on <paramref name="input"/> (C order, <see cref="InputShape"/>).</summary>
    void Run(ReadOnlySpan<float> input);

    /// <summary>Copies an output of the last run into <paramref name="destination"/>.</summary>
    void CopyOutput(string name, Span<float> destination);

    /// <summary>Per-step wall time of the last run when profiling is on, in step order (name, op, milliseconds).</summary>
    IReadOnlyList<(string Name, string Op, double Milliseconds)> Profile { get; }

    /// <summary>Turns per-step timing on or off (off by default: it adds a clock read per step).</summary>
    bool ProfilingEnabled { get; set; }
}
