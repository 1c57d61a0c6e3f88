using HipVision.Graph;

namespace HipVision.Backends;

/// <summary>A compute backend: compiles a <see cref="ModelGraph"/> into an <see cref="IExecutionPlan"/>.</summary>
public interface IBackend
{
    /// <summary>Short name ("cpu", "hip").</summary>
    string Name { get; }

    /// <summary>Compiles the graph; the graph must have exactly one input.</summary>
    IExecutionPlan Compile(ModelGraph graph);

    /// <summary>
    /// Compiles a model for <paramref name="batch"/> images, given its graph for any batch size: a backend may
    /// compile another batch size's graph when that runs the batch faster (the CPU runs convnets image by image).
    /// </summary>
    IExecutionPlan Compile(Func<int, ModelGraph> graphForBatch, int batch) => Compile(graphForBatch(batch));
}
