using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.IO;
using HipVision.Models;
using HipVision.Tests.Models;
using HipVision.Tests.Reference;
using HipVision.Weights;

namespace HipVision.Tests.Ops;

/// <summary>
/// The CPU backend runs convnet batches image by image on separate threads (<see cref="ImageParallelPlan"/>):
/// the outputs must be those of the whole-batch plan, every image in its own place.
/// </summary>
public class ImageParallelPlanTests
{
    [TestCase("tiny-efficientnet")]
    [TestCase("tiny-mobilenet_v1")]
    public void ConvnetFixture_batchOfTwoOnTwoThreads_runsImageParallelAndMatchesTransformers(string model)
    {
        var dir = Fixtures.Model(model);
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = SafeTensorsWeights.Open(dir);
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        using var plan = new CpuBackend(2).Compile(b => config.BuildGraph(weights, b, hiddenStates: true), shape[0]);
        Assert.That(plan, Is.InstanceOf<ImageParallelPlan>());
        Assert.That(plan.InputShape, Is.EqualTo(shape));
        plan.Run(pixels);
        for (int k = 0; File.Exists(Path.Combine(dir, $"hidden_states_{k}.npy")); k++)
            FixtureParity.AssertHiddenState(plan, dir, k);
        FixtureParity.AssertLogits(plan, dir, config.NumLabels);
    }

    [TestCase(5, 2)]
    [TestCase(3, 3)]
    [TestCase(2, 4)]
    public void RandomImages_moreOrFewerThanWorkers_equalTheWholeBatchPlan(int batch, int threads)
    {
        var dir = Fixtures.Model("tiny-efficientnet");
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = SafeTensorsWeights.Open(dir);
        var rng = TestRandom.Create($"batch {batch}, {threads} threads");
        var (c, h, w) = config.InputSize;
        var pixels = rng.Uniform([batch, c, h, w], -2, 2);

        using var whole = new CpuBackend(1).Compile(config.BuildGraph(weights, batch, hiddenStates: true));
        using var split = new CpuBackend(threads).Compile(b => config.BuildGraph(weights, b, hiddenStates: true), batch);
        Assert.That(split, Is.InstanceOf<ImageParallelPlan>());
        Assert.That(split.Outputs.Select(o => (o.Name, string.Join(",", o.Shape))), Is.EqualTo(whole.Outputs.Select(o => (o.Name, string.Join(",", o.Shape)))));
        whole.Run(pixels);
        split.Run(pixels);
        split.Run(pixels); // a second run reuses the workers and overwrites every output
        foreach (var (name, outputShape) in whole.Outputs)
        {
            var want = Output(whole, name, outputShape);
            var got = Output(split, name, outputShape);
            TensorAssert.ModelOutput(got, want, want.Length / batch, 1e-6, name, argmax: false);
        }
    }

    [Test]
    public void Profiling_reportsEveryStepOfTheSingleImagePlan()
    {
        var config = ModelConfig.Load(Path.Combine(Fixtures.Model("tiny-mobilenet_v1"), "config.json"));
        using var weights = SafeTensorsWeights.Open(Fixtures.Model("tiny-mobilenet_v1"));
        using var plan = new CpuBackend(2).Compile(b => config.BuildGraph(weights, b), 3);
        plan.ProfilingEnabled = true;
        plan.Run(new float[ShapeCount(plan.InputShape)]);
        Assert.That(plan.Profile, Is.Not.Empty);
        Assert.That(plan.Profile.Select(p => p.Op), Has.Some.StartsWith("Conv2d"));
        Assert.That(plan.Profile.All(p => p.Milliseconds >= 0), Is.True);
    }

    [Test]
    public void Transformer_keepsTheWholeBatchPlan()
    {
        var dir = Fixtures.Model("tiny-vit");
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = SafeTensorsWeights.Open(dir);
        using var plan = new CpuBackend(2).Compile(b => config.BuildGraph(weights, b), 4);
        Assert.That(plan, Is.InstanceOf<CpuExecutionPlan>());
    }

    [Test]
    public void DisposedPlan_throwsObjectDisposed()
    {
        var dir = Fixtures.Model("tiny-mobilenet_v1");
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var weights = SafeTensorsWeights.Open(dir);
        var plan = new CpuBackend(2).Compile(b => config.BuildGraph(weights, b), 2);
        plan.Dispose();
        plan.Dispose();
        Assert.Throws<ObjectDisposedException>(() => plan.Run(new float[ShapeCount(plan.InputShape)]));
    }

    static long ShapeCount(int[] shape) => HipVision.Graph.ShapeMath.Count(shape);

    static float[] Output(IExecutionPlan plan, string name, int[] shape)
    {
        var values = new float[ShapeCount(shape)];
        plan.CopyOutput(name, values);
        return values;
    }
}
