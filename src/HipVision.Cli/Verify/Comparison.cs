namespace HipVision.Cli.Verify;

/// <summary>The two error figures verify prints and its pass rules (STYLE.md's elementwise rule; the fixtures' rule for logits).</summary>
readonly record struct Comparison(double MaxAbs, double Rel, int Bad, int FirstBad)
{
    /// <summary>max |got − want|, ‖got − want‖/‖want‖, and how many elements break |Δ| ≤ atol + rtol·|want|.</summary>
    public static Comparison Of(ReadOnlySpan<float> got, ReadOnlySpan<double> want, double atol, double rtol)
    {
        double maxAbs = 0, num = 0, den = 0;
        int bad = 0, first = -1;
        for (int i = 0; i < got.Length; i++)
        {
            double d = Math.Abs(got[i] - want[i]);
            if (!(d <= atol + rtol * Math.Abs(want[i])))
            {
                if (bad++ == 0) first = i;
            }
            maxAbs = Math.Max(maxAbs, double.IsNaN(d) ? double.PositiveInfinity : d);
            num += d * d;
            den += want[i] * want[i];
        }
        return new Comparison(maxAbs, den > 0 ? Math.Sqrt(num / den) : Math.Sqrt(num), bad, first);
    }

    /// <summary>
    /// The fixtures' criterion for logits, per image row of <paramref name="cols"/>: max|Δ| ≤ tol·max|ref|, ‖Δ‖/‖ref‖ ≤ tol and the
    /// same argmax (or, with <paramref name="tie"/> &gt; 0, a class whose reference is within tie·max|ref| of the best:
    /// <see cref="Precisions.TopClassTie"/>). Returns the worst figures and the first broken rule, or null.
    /// </summary>
    public static (double MaxAbs, double Rel, string? Failure) Logits(ReadOnlySpan<float> got, ReadOnlySpan<float> want, int cols, double tol, double tie = 0)
    {
        double worstAbs = 0, worstRel = 0;
        string? failure = null;
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
            double rel = Math.Sqrt(num / Math.Max(den, 1e-300));
            worstAbs = Math.Max(worstAbs, maxAbs);
            worstRel = Math.Max(worstRel, rel);
            if (failure != null) continue;
            if (!(maxAbs <= tol * maxRef)) failure = $"image {r}: max|Δ| {maxAbs:E2} > {tol:E0}·max|ref|";
            else if (!(rel <= tol)) failure = $"image {r}: ‖Δ‖/‖ref‖ {rel:E2} > {tol:E0}";
            else if (ArgMax(g) != ArgMax(w) && !(w[ArgMax(w)] - w[ArgMax(g)] <= tie * maxRef)) failure = $"image {r}: top-1 class {ArgMax(g)} instead of {ArgMax(w)}";
        }
        return (worstAbs, worstRel, failure);
    }

    static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
