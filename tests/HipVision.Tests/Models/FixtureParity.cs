using System.Diagnostics;
using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.IO;
using HipVision.Models;
using HipVision.Tests.Reference;
using HipVision.Weights;

namespace HipVision.Tests.Models;

/// <summary>
/// The fixtures' criterion (tests/fixtures/models/README.md) applied to a plan's outputs: per image,
/// max|Δ| ≤ 1e-4·max|ref| and ‖Δ‖/‖ref‖ ≤ 1e-4, same argmax for logits.
/// </summary>
static class FixtureParity
{
    public const double Tolerance = 1e-4;

    /// <summary>Output "hidden_states.K" against hidden_states_K.npy of the fixture folder.</summary>
    public static void AssertHiddenState(IExecutionPlan plan, string dir, int k)
    {
        var want = NpyFile.ReadFloat32(Path.Combine(dir, $"hidden_states_{k}.npy"), out var shape);
        Assert.That(plan.Outputs.Single(o => o.Name == $"hidden_states.{k}").Shape, Is.EqualTo(shape), $"hidden_states_{k} shape");
        var got = new float[want.Length];
        plan.CopyOutput($"hidden_states.{k}", got);
        TensorAssert.ModelOutput(got, want, (int)ShapeMath.Count(shape.AsSpan(1)), Tolerance, $"hidden_states_{k}", argmax: false);
    }

    /// <summary>Output "logits" against logits.npy of the fixture folder.</summary>
    public static void AssertLogits(IExecutionPlan plan, string dir, int labels)
    {
        var want = NpyFile.ReadFloat32(Path.Combine(dir, "logits.npy"), out _);
        var got = new float[want.Length];
        plan.CopyOutput("logits", got);
        TensorAssert.ModelOutput(got, want, labels, Tolerance, "logits");
    }

    /// <summary>
    /// A full-size fixture model from hv-synth-v2 seed 1 weights: its pixel_values.npy.gz must be the formula's,
    /// and the logits must match logits.npy. Returns the input shape.
    /// </summary>
    public static int[] AssertSyntheticModel(ModelConfig config, string dir)
    {
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy.gz"), out var shape);
        Assert.That(pixels, Is.EqualTo(HvSynth.PixelValues(shape, 1)), "fixture pixel_values are the formula's");
        var clock = Stopwatch.StartNew();
        using var plan = new CpuBackend().Compile(config.BuildGraph(new SyntheticWeights(1), shape[0]));
        var build = clock.Elapsed;
        plan.Run(pixels);
        TestContext.Out.WriteLine($"{Path.GetFileName(dir)}: weights + compile {build.TotalSeconds:F1} s, run {(clock.Elapsed - build).TotalSeconds:F1} s");
        AssertLogits(plan, dir, config.NumLabels);
        return shape;
    }
}
