using HipVision.Backends;
using HipVision.Graph;

namespace HipVision.Tests.Ops;

/// <summary>
/// Runs a small graph through the public path (build → IBackend.Compile → Run → CopyOutput): the op tests
/// build one-op graphs with one input named "x", weights as constants, and the result as output "y".
/// </summary>
static class OpRunner
{
    public static float[] Run(IBackend backend, GraphBuilder g, Node y, float[] input)
    {
        g.Output("y", y);
        using var plan = backend.Compile(g.Build());
        plan.Run(input);
        var got = new float[ShapeMath.Count(plan.Outputs[0].Shape)];
        plan.CopyOutput("y", got);
        return got;
    }

    public static string Shape(int[] shape) => ShapeMath.Format(shape);
}
