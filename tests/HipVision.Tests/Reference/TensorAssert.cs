namespace HipVision.Tests.Reference;

/// <summary>
/// Comparisons with the house tolerances and a report that helps: max |Δ|, the first bad index, a few
/// (got, want) pairs and ‖Δ‖/‖want‖.
/// </summary>
static class TensorAssert
{
    /// <summary>|got − want| ≤ atol + rtol·|want| elementwise.</summary>
    public static void Close(ReadOnlySpan<float> got, ReadOnlySpan<double> want, double atol, double rtol, string what)
    {
        Assert.That(got.Length, Is.EqualTo(want.Length), $"{what}: length");
        int firstBad = -1, bad = 0;
        double maxAbs = 0, num = 0, den = 0;
        for (int i = 0; i < got.Length; i++)
        {
            double d = Math.Abs(got[i] - want[i]);
            if (!(d <= atol + rtol * Math.Abs(want[i])))
            {
                bad++;
                if (firstBad < 0) firstBad = i;
            }
            maxAbs = Math.Max(maxAbs, double.IsNaN(d) ? double.PositiveInfinity : d);
            num += d * d;
            den += want[i] * want[i];
        }
        double rel = Math.Sqrt(num) / Math.Max(Math.Sqrt(den), 1e-300);
        TestContext.Out.WriteLine($"{what}: n={got.Length} max|Δ|={maxAbs:E2} ‖Δ‖/‖want‖={rel:E2}");
        if (bad > 0)
        {
            var pairs = new List<string>();
            for (int i = firstBad; i < Math.Min(firstBad + 4, got.Length); i++) pairs.Add($"[{i}] {got[i]:G7} vs {want[i]:G7}");
            Assert.Fail($"{what}: {bad} of {got.Length} values outside {atol:E0} + {rtol:E0}·|want|; max|Δ|={maxAbs:E3}, ‖Δ‖/‖want‖={rel:E3}; first bad {string.Join(", ", pairs)}");
        }
    }

    /// <summary>Float overload of <see cref="Close(ReadOnlySpan{float}, ReadOnlySpan{double}, double, double, string)"/>.</summary>
    public static void Close(ReadOnlySpan<float> got, ReadOnlySpan<float> want, double atol, double rtol, string what)
    {
        var w = new double[want.Length];
        for (int i = 0; i < w.Length; i++) w[i] = want[i];
        Close(got, w, atol, rtol, what);
    }

    /// <summary>
    /// The fixtures' criterion for model outputs, per row of <paramref name="cols"/> values: max|Δ| ≤ tol·max|want|,
    /// ‖Δ‖/‖want‖ ≤ tol, and (when <paramref name="argmax"/>) the same argmax, or with <paramref name="tie"/> &gt; 0 any class whose
    /// reference value is within tie·max|want| of the reference's best (<see cref="Precisions.TopClassTie"/>).
    /// </summary>
    public static void ModelOutput(ReadOnlySpan<float> got, ReadOnlySpan<float> want, int cols, double tol, string what, bool argmax = true, double tie = 0)
    {
        Assert.That(got.Length, Is.EqualTo(want.Length), $"{what}: length");
        for (int r = 0; r < got.Length / cols; r++)
        {
            var g = got.Slice(r * cols, cols);
            var w = want.Slice(r * cols, cols);
            double maxRef = 0, maxAbs = 0, num = 0, den = 0;
            for (int i = 0; i < cols; i++)
            {
                double d = Math.Abs((double)g[i] - w[i]);
                maxRef = Math.Max(maxRef, Math.Abs(w[i]));
                maxAbs = Math.Max(maxAbs, double.IsNaN(d) ? double.PositiveInfinity : d);
                num += d * d;
                den += (double)w[i] * w[i];
            }
            double rel = Math.Sqrt(num / den);
            TestContext.Out.WriteLine($"{what} row {r}: max|Δ|/max|ref|={maxAbs / maxRef:E2} ‖Δ‖/‖ref‖={rel:E2}");
            Assert.That(maxAbs, Is.LessThanOrEqualTo(tol * maxRef), $"{what} row {r}: max|Δ| {maxAbs:E3} > {tol:E0}·max|ref| ({maxRef:E3})");
            Assert.That(rel, Is.LessThanOrEqualTo(tol), $"{what} row {r}: ‖Δ‖/‖ref‖ = {rel:E3}");
            if (!argmax) continue;
            int top = ArgMax(g), best = ArgMax(w);
            if (top != best && w[best] - w[top] <= tie * maxRef)
                TestContext.Out.WriteLine($"{what} row {r}: top-1 {top} instead of {best}, a tie: reference {w[top]:G7} vs {w[best]:G7} (within {tie:E0}·max|ref|)");
            else Assert.That(top, Is.EqualTo(best), $"{what} row {r}: argmax");
        }
    }

    public static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
