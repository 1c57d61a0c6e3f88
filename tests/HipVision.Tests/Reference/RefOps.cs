namespace HipVision.Tests.Reference;

/// <summary>
/// The float64 oracle: every operation of the graph written like its formula, no SIMD, no cleverness, each
/// naming the PyTorch / Hugging Face semantics it matches. Tensors are C-order double[] with an int[] shape
/// passed alongside. Backends are tested against these, never only against each other.
/// This file: dense algebra, normalisation, activations, softmax and attention. Convolutions live in
/// RefOps.Conv.cs, layout ops and broadcasting in RefOps.Shape.cs.
/// </summary>
static partial class RefOps
{
    public static double[] D(float[] x) => Array.ConvertAll(x, v => (double)v);

    /// <summary>torch.nn.functional.linear: y[..., o] = Σ_i x[..., i]·W[o, i] + b[o], W is [out, in].</summary>
    public static double[] Linear(double[] x, double[] w, double[]? b, int inFeatures, int outFeatures)
    {
        int rows = x.Length / inFeatures;
        var y = new double[rows * outFeatures];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outFeatures; o++)
            {
                double sum = b?[o] ?? 0.0;
                for (int i = 0; i < inFeatures; i++) sum += x[r * inFeatures + i] * w[o * inFeatures + i];
                y[r * outFeatures + o] = sum;
            }
        return y;
    }

    /// <summary>
    /// torch.nn.LayerNorm over the last dimension: mean, biased variance Σ(x − mean)²/C (two passes),
    /// y = (x − mean)/√(var + eps)·γ + β.
    /// </summary>
    public static double[] LayerNorm(double[] x, int cols, double[] gamma, double[] beta, double eps)
    {
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / cols; r++)
        {
            double mean = 0;
            for (int c = 0; c < cols; c++) mean += x[r * cols + c];
            mean /= cols;
            double variance = 0;
            for (int c = 0; c < cols; c++) variance += (x[r * cols + c] - mean) * (x[r * cols + c] - mean);
            variance /= cols;
            for (int c = 0; c < cols; c++)
                y[r * cols + c] = (x[r * cols + c] - mean) / Math.Sqrt(variance + eps) * gamma[c] + beta[c];
        }
        return y;
    }

    /// <summary>
    /// torch.nn.BatchNorm2d in eval mode (F.batch_norm, training=False) over dimension 1 of [B, C, …]:
    /// y = (x − running_mean)/√(running_var + eps)·γ + β.
    /// </summary>
    public static double[] BatchNorm(double[] x, int[] shape, double[] gamma, double[] beta, double[] mean, double[] variance, double eps)
    {
        int batch = shape[0], channels = shape[1], plane = x.Length / (batch * channels);
        var y = new double[x.Length];
        for (int b = 0; b < batch; b++)
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < plane; i++)
                {
                    int at = (b * channels + c) * plane + i;
                    y[at] = (x[at] - mean[c]) / Math.Sqrt(variance[c] + eps) * gamma[c] + beta[c];
                }
        return y;
    }

    /// <summary>torch.nn.GELU(approximate='none') (HF "gelu"): x·½·(1 + erf(x/√2)), with erfc for x &lt; 0 so tails keep precision.</summary>
    public static double Gelu(double x) => x < 0 ? x * 0.5 * Erfc(-x / Math.Sqrt(2)) : x * 0.5 * (1 + Erf(x / Math.Sqrt(2)));

    /// <summary>torch.nn.ReLU6: min(max(x, 0), 6).</summary>
    public static double Relu6(double x) => Math.Min(Math.Max(x, 0), 6);

    /// <summary>torch.sigmoid: 1/(1 + e^−x).</summary>
    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>torch.nn.SiLU (HF "swish"/"silu"): x·sigmoid(x).</summary>
    public static double Silu(double x) => x * Sigmoid(x);

    public static double[] Map(double[] x, Func<double, double> f) => Array.ConvertAll(x, v => f(v));

    /// <summary>torch.softmax(x, dim=−1), max-subtracted: e^(x − max)/Σ e^(x − max).</summary>
    public static double[] Softmax(double[] x, int cols)
    {
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / cols; r++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < cols; c++) max = Math.Max(max, x[r * cols + c]);
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += y[r * cols + c] = Math.Exp(x[r * cols + c] - max);
            for (int c = 0; c < cols; c++) y[r * cols + c] /= sum;
        }
        return y;
    }

    /// <summary>
    /// HF ViT/BEiT self-attention on a fused QKV tensor [B, T, 3·D] (query, key, value side by side, heads
    /// splitting D into H blocks of d = D/H, like transpose_for_scores): per (b, h)
    /// P = softmax(scale·Q·Kᵀ + bias), O = P·V, heads concatenated → [B, T, D]. Bias is [H, T, T] (BEiT relative
    /// position bias, shared over the batch) or [B, H, T, T].
    /// </summary>
    public static double[] Attention(double[] qkv, int batch, int tokens, int dModel, int heads, double scale, double[]? bias, bool biasPerBatch)
    {
        int hd = dModel / heads, row = 3 * dModel;
        var y = new double[batch * tokens * dModel];
        var scores = new double[tokens];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < tokens; i++)
                {
                    int q = (b * tokens + i) * row + h * hd;
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < tokens; j++)
                    {
                        int k = (b * tokens + j) * row + dModel + h * hd;
                        double dot = 0;
                        for (int p = 0; p < hd; p++) dot += qkv[q + p] * qkv[k + p];
                        scores[j] = scale * dot;
                        if (bias != null) scores[j] += bias[((biasPerBatch ? b * heads : 0) + h) * tokens * tokens + i * tokens + j];
                        max = Math.Max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < tokens; j++) sum += scores[j] = Math.Exp(scores[j] - max);
                    for (int p = 0; p < hd; p++)
                    {
                        double acc = 0;
                        for (int j = 0; j < tokens; j++) acc += scores[j] / sum * qkv[(b * tokens + j) * row + 2 * dModel + h * hd + p];
                        y[(b * tokens + i) * dModel + h * hd + p] = acc;
                    }
                }
        return y;
    }

    /// <summary>erf in double, |error| ≲ 1e-15 (a few ulp; see <see cref="Erfc"/>).</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double a = Math.Abs(x);
        double r = a < SeriesLimit ? ErfSeries(a) : 1 - ErfcContinuedFraction(a);
        return x < 0 ? -r : r;
    }

    /// <summary>
    /// erfc in double: 1 − erf by the all-positive series below <see cref="SeriesLimit"/>, the Laplace continued
    /// fraction above it (relative precision kept in the tail, where GELU of a negative input lives).
    /// </summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x < 0) return 1 + Erf(-x);
        return x < SeriesLimit ? 1 - ErfSeries(x) : ErfcContinuedFraction(x);
    }

    const double SeriesLimit = 2.0;

    /// <summary>A&amp;S 7.1.6: erf(x) = 2/√π·e^(−x²)·Σ_{n≥0} 2ⁿx^(2n+1)/(1·3·…·(2n+1)); every term positive, so no cancellation.</summary>
    internal static double ErfSeries(double x)
    {
        double term = x, sum = x;
        for (int n = 1; n < 500 && term > 1e-18 * sum; n++)
        {
            term *= 2 * x * x / (2 * n + 1);
            sum += term;
        }
        return 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x) * sum;
    }

    /// <summary>
    /// A&amp;S 7.1.14 (x &gt; 0): erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))),
    /// evaluated by the modified Lentz method to full double precision.
    /// </summary>
    internal static double ErfcContinuedFraction(double x)
    {
        const double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int n = 1; n < 10000; n++)
        {
            double a = n / 2.0;
            d = x + a * d;
            d = 1 / (Math.Abs(d) < tiny ? tiny : d);
            c = x + a / c;
            if (Math.Abs(c) < tiny) c = tiny;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 4e-16) break;
        }
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }
}
