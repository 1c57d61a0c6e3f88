using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>
/// Convolution followed by an activation: the CPU plan folds the activation into the convolution's step when
/// the convolution has no other reader; the result must equal conv-then-activation of the reference either way.
/// </summary>
public class ActivationFusionTests
{
    [TestCase(OpKind.Relu6, 1, 1)]
    [TestCase(OpKind.Silu, 2, 2)]
    [TestCase(OpKind.Sigmoid, 1, 2)]
    [TestCase(OpKind.Gelu, 2, 1)]
    public void Conv1x1ThenActivation_fused_matchesReference(OpKind activation, int batch, int threads) =>
        FusedCase(new CpuBackend(threads), activation, batch, alsoOutputConv: false);

    [TestCase(OpKind.Silu)]
    public void Conv1x1ThenActivation_convAlsoAnOutput_bothOutputsMatchReference(OpKind activation) =>
        FusedCase(new CpuBackend(2), activation, 2, alsoOutputConv: true);

    internal static void FusedCase(IBackend be, OpKind activation, int batch, bool alsoOutputConv)
    {
        int[] xShape = [batch, 24, 13, 11];
        int o = 40;
        string what = $"conv1x1 x={OpRunner.Shape(xShape)} o={o} then {activation}, conv output too: {alsoOutputConv}, on {be.Name}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform(xShape);
        var w = rng.Uniform([o, 24, 1, 1]);
        var b = rng.Uniform(o);
        var g = new GraphBuilder();
        var conv = g.Conv2d(g.Input("x", xShape), g.Constant("w", [o, 24, 1, 1], w), g.Constant("b", [o], b));
        var act = activation switch
        {
            OpKind.Relu6 => g.Relu6(conv),
            OpKind.Silu => g.Silu(conv),
            OpKind.Sigmoid => g.Sigmoid(conv),
            _ => g.Gelu(conv),
        };
        g.Output("y", act);
        if (alsoOutputConv) g.Output("conv", conv);
        using var plan = be.Compile(g.Build());
        plan.Run(x);

        var wantConv = RefOps.Conv2d(RefOps.D(x), xShape, RefOps.D(w), [o, 24, 1, 1], RefOps.D(b), 1, 1, 0, 0, 0, 0, 1, 1, 1, out _);
        var wantAct = wantConv.Select(v => activation switch
        {
            OpKind.Relu6 => Math.Min(Math.Max(v, 0), 6),
            OpKind.Silu => v / (1 + Math.Exp(-v)),
            OpKind.Sigmoid => 1 / (1 + Math.Exp(-v)),
            _ => RefOps.Gelu(v),
        }).ToArray();
        var got = new float[wantAct.Length];
        plan.CopyOutput("y", got);
        TensorAssert.Close(got, wantAct, 1e-4, 1e-3, what);
        if (alsoOutputConv)
        {
            plan.CopyOutput("conv", got);
            TensorAssert.Close(got, wantConv, 1e-4, 1e-3, what + " (conv)");
        }
    }
}
