using HipVision.Backends;
using HipVision.Graph;
using HipVision.IO;
using HipVision.Tests.Reference;

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
}
