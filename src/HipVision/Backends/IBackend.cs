using HipVision.Graph;

namespace HipVision.Backends;

/// <summary>A compute backend: compiles a <see cref="ModelGraph"/> into an <see cref="IExecutionPlan"/>.</summary>
public interface IBackend
{
    /// <summary>Short name ("cpu", "hip").</summary>
    string Name { get; }

    /// <summary>Compiles the graph; the graph must have exactly one input.</summary>
    IExecutionPlan Compile(ModelGraph graph);
}
