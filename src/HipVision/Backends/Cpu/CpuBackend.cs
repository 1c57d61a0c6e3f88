using System.Runtime.CompilerServices;
using HipVision.Graph;

namespace HipVision.Backends.Cpu;

/// <summary>
/// The pure C# backend: fp32, SIMD through System.Numerics.Tensors and the engine's own SGEMM, multi-threaded.
/// It is the numerical reference of the engine and the default when no GPU is present.
/// Packed GEMM weights are cached per weight array, so plans for several batch sizes share them.
/// </summary>
public sealed class CpuBackend : IBackend
{
    readonly ConditionalWeakTable<float[], PackedMatrix> _packed = new();

    /// <summary>Creates a CPU backend using <paramref name="threads"/> threads (0 or less: one per core).</summary>
    public CpuBackend(int threads = 0)
    {
        Threads = threads > 0 ? threads : Environment.ProcessorCount;
    }

    /// <inheritdoc/>
    public string Name => "cpu";

    /// <summary>Threads each operation may use.</summary>
    public int Threads { get; }

    /// <inheritdoc/>
    public IExecutionPlan Compile(ModelGraph graph) => new CpuExecutionPlan(BatchNormFolding.Apply(graph), Threads, PackLinearWeight);

    /// <inheritdoc/>
    /// <remarks>Convolutional networks at batch &gt; 1 run as single-threaded batch-1 passes side by side (<see cref="ImageParallelPlan"/>).</remarks>
    public IExecutionPlan Compile(Func<int, ModelGraph> graphForBatch, int batch)
    {
        int workers = Math.Min(Threads, batch);
        if (workers < 2) return Compile(graphForBatch(batch));
        var single = graphForBatch(1);
        if (!ImageParallelPlan.Suits(single)) return Compile(graphForBatch(batch));
        single = BatchNormFolding.Apply(single);
        var plans = new List<CpuExecutionPlan>(workers);
        try
        {
            for (int w = 0; w < workers; w++) plans.Add(new CpuExecutionPlan(single, 1, PackLinearWeight));
            return new ImageParallelPlan([.. plans], batch);
        }
        catch
        {
            foreach (var plan in plans) plan.Dispose();
            throw;
        }
    }

    PackedMatrix PackLinearWeight(Node weight) =>
        _packed.GetValue(weight.Data!, data => PackedMatrix.FromLinearWeight(data, weight.Shape[0], (int)(weight.ElementCount / weight.Shape[0])));
}
