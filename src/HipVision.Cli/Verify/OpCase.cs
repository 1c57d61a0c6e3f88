using HipVision.Graph;

namespace HipVision.Cli.Verify;

/// <summary>
/// One op of a model family at that family's real shapes, as a one-op graph (input "x", weights as constants, output "y"),
/// with the tolerance class STYLE.md gives it: |got − want| ≤ Atol + Rtol·|want| against the float64 evaluator.
/// </summary>
sealed record OpCase(string Family, string Name, string Shape, double Atol, double Rtol, Func<Random, (ModelGraph Graph, float[] Input)> Build)
{
    public const double ElementAtol = 1e-6, ElementRtol = 1e-5, ReduceAtol = 1e-5, ReduceRtol = 1e-4, GemmAtol = 1e-4, GemmRtol = 1e-3;
}
