using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Models;
using HipVision.Weights;

namespace HipVision.Tests.Graph;

/// <summary>
/// The CPU plan's arena (<see cref="Backends.IExecutionPlan.PeakBytes"/>) for ViT-base at batch 1 against the sum of
/// every activation the graph defines: the memory planner must reuse bytes across the 12 layers.
/// </summary>
public sealed class PlanMemoryTests
{
    [Test]
    public void VitBase_batch1_peakBytesFarBelowSumOfActivations()
    {
        var graph = VitConfig.VitBasePatch16_224.BuildGraph(new ZeroWeights(), 1);
        long sum = graph.Nodes.Where(n => n.Kind is not (OpKind.Constant or OpKind.Reshape)).Sum(n => n.ElementCount * sizeof(float));
        long largest = graph.Nodes.Where(n => n.Kind is not (OpKind.Constant or OpKind.Reshape)).Max(n => n.ElementCount * sizeof(float));
        using var plan = new CpuBackend(1).Compile(graph);
        TestContext.Out.WriteLine($"ViT-base batch 1: sum of activations {sum:N0} B ({sum / 1048576.0:F1} MiB), " +
            $"plan PeakBytes {plan.PeakBytes:N0} B ({plan.PeakBytes / 1048576.0:F1} MiB), largest tensor {largest:N0} B, ratio {(double)sum / plan.PeakBytes:F1}×");
        Assert.That(plan.PeakBytes, Is.GreaterThanOrEqualTo(largest), "the arena holds the largest tensor");
        Assert.That(plan.PeakBytes, Is.LessThan(sum / 10), "arena reuses memory across layers");
    }

    /// <summary>Zero tensors of any requested shape: compiling needs shapes, not values.</summary>
    sealed class ZeroWeights : IWeightSource
    {
        public string SourceName => "zeros";
        public IEnumerable<string> Names => [];
        public bool Contains(string name) => true;
        public float[] Get(string name, int[] expectedShape) => new float[ShapeMath.Count(expectedShape)];
        public void Dispose() { }
    }
}
