using HipVision.Graph;

namespace HipVision.Verification;

/// <summary>
/// Evaluates a <see cref="ModelGraph"/> in float64, every op written like its formula (no SIMD, no blocking), with PyTorch's
/// semantics: the oracle `hipvision verify` judges both backends against. Meant for one-op graphs of real model shapes;
/// whole models are judged against transformers' own outputs instead (tests/fixtures).
/// </summary>
internal static class Float64Evaluator
{
    /// <summary>The values of every output of <paramref name="graph"/> for <paramref name="input"/> (its single input).</summary>
    public static Dictionary<string, double[]> Run(ModelGraph graph, float[] input)
    {
        var values = new Dictionary<Node, double[]>();
        foreach (var node in graph.Nodes)
        {
            double[] In(int i) => values[node.Inputs[i]];
            values[node] = node.Kind switch
            {
                OpKind.Input => Array.ConvertAll(input, v => (double)v),
                OpKind.Constant => Array.ConvertAll(node.Data!, v => (double)v),
                OpKind.Reshape => In(0),
                OpKind.Linear => Linear(In(0), In(1), node.Inputs.Count > 2 ? In(2) : null, node.Inputs[1].Shape[1], node.Inputs[1].Shape[0]),
                OpKind.Conv2d => Conv2d(In(0), node.Inputs[0].Shape, In(1), node.Inputs[1].Shape, node.Inputs.Count > 2 ? In(2) : null, node.Shape, node.Attr<Conv2dAttributes>()),
                OpKind.BatchNorm => BatchNorm(In(0), node.Shape, In(1), In(2), In(3), In(4), node.Attr<EpsilonAttributes>().Epsilon),
                OpKind.LayerNorm => LayerNorm(In(0), node.Shape[^1], In(1), In(2), node.Attr<EpsilonAttributes>().Epsilon),
                OpKind.Gelu or OpKind.Relu6 or OpKind.Silu or OpKind.Sigmoid => Array.ConvertAll(In(0), v => Activation(node.Kind, v)),
                OpKind.Softmax => Softmax(In(0), node.Shape[^1]),
                OpKind.Attention => Attention(In(0), node.Shape, node.Attr<AttentionAttributes>(), node.Inputs.Count > 1 ? In(1) : null, node.Inputs.Count > 1 && node.Inputs[1].Shape.Length == 4),
                OpKind.Add => Binary(In(0), node.Inputs[0].Shape, In(1), node.Inputs[1].Shape, node.Shape, (a, b) => a + b),
                OpKind.Mul => Binary(In(0), node.Inputs[0].Shape, In(1), node.Inputs[1].Shape, node.Shape, (a, b) => a * b),
                OpKind.Expand => Binary(In(0), node.Inputs[0].Shape, [0.0], [1], node.Shape, (a, _) => a),
                OpKind.Transpose => Transpose(In(0), node.Inputs[0].Shape, node.Attr<TransposeAttributes>().Permutation),
                OpKind.Concat => Concat(node, values),
                OpKind.Slice => Slice(In(0), node.Inputs[0].Shape, node.Attr<SliceAttributes>()),
                OpKind.ReduceMean => ReduceMean(In(0), node.Inputs[0].Shape, node.Attr<AxisAttributes>().Axis),
                OpKind.GlobalAvgPool => ReduceMean(In(0), [node.Shape[0], node.Shape[1], node.Inputs[0].Shape[2] * node.Inputs[0].Shape[3]], 2),
                OpKind.PatchEmbedding => PatchEmbedding(node, In(0), In(1), In(2)),
                OpKind.SqueezeExcite => SqueezeExcite(In(0), node.Shape, In(1), In(2), In(3), In(4), node.Inputs[1].Shape[0], node.Attr<SqueezeExciteAttributes>().Activation),
                _ => throw new NotSupportedException($"the float64 evaluator has no {node.Kind}"),
            };
        }
        return graph.Outputs.ToDictionary(o => o.Name, o => values[o.Node]);
    }

    /// <summary>torch.nn.functional.linear: y[r, o] = Σ_i x[r, i]·W[o, i] + b[o].</summary>
    static double[] Linear(double[] x, double[] w, double[]? b, int inFeatures, int outFeatures)
    {
        int rows = x.Length / inFeatures;
        var y = new double[(long)rows * outFeatures];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outFeatures; o++)
            {
                double sum = b?[o] ?? 0;
                for (int i = 0; i < inFeatures; i++) sum += x[(long)r * inFeatures + i] * w[(long)o * inFeatures + i];
                y[(long)r * outFeatures + o] = sum;
            }
        return y;
    }

    /// <summary>torch.nn.Conv2d (NCHW, groups, dilation, explicit zero padding per side).</summary>
    static double[] Conv2d(double[] x, int[] xs, double[] w, int[] ws, double[]? b, int[] ys, Conv2dAttributes a)
    {
        int batch = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ys[1], oh = ys[2], ow = ys[3], kh = ws[2], kw = ws[3];
        int cg = c / a.Groups, og = o / a.Groups;
        var y = new double[(long)batch * o * oh * ow];
        for (int n = 0; n < batch; n++)
            for (int oc = 0; oc < o; oc++)
            {
                int g = oc / og;
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double sum = b?[oc] ?? 0;
                        for (int ic = 0; ic < cg; ic++)
                            for (int ky = 0; ky < kh; ky++)
                            {
                                int iy = oy * a.StrideH - a.Padding.Top + ky * a.DilationH;
                                if (iy < 0 || iy >= h) continue;
                                for (int kx = 0; kx < kw; kx++)
                                {
                                    int ix = ox * a.StrideW - a.Padding.Left + kx * a.DilationW;
                                    if (ix < 0 || ix >= wd) continue;
                                    sum += x[(((long)n * c + g * cg + ic) * h + iy) * wd + ix] * w[(((long)oc * cg + ic) * kh + ky) * kw + kx];
                                }
                            }
                        y[(((long)n * o + oc) * oh + oy) * ow + ox] = sum;
                    }
            }
        return y;
    }

    /// <summary>torch.nn.BatchNorm2d in eval mode over dimension 1.</summary>
    static double[] BatchNorm(double[] x, int[] shape, double[] gamma, double[] beta, double[] mean, double[] variance, double eps)
    {
        int channels = shape[1];
        long plane = ShapeMath.Count(shape.AsSpan(2));
        var y = new double[x.Length];
        for (long i = 0; i < x.Length; i++)
        {
            int ch = (int)(i / plane % channels);
            y[i] = (x[i] - mean[ch]) / Math.Sqrt(variance[ch] + eps) * gamma[ch] + beta[ch];
        }
        return y;
    }

    /// <summary>torch.nn.LayerNorm over the last dimension, biased variance, two passes.</summary>
    static double[] LayerNorm(double[] x, int cols, double[] gamma, double[] beta, double eps)
    {
        var y = new double[x.Length];
        for (long r = 0; r < x.Length / cols; r++)
        {
            double mean = 0, variance = 0;
            for (int c = 0; c < cols; c++) mean += x[r * cols + c];
            mean /= cols;
            for (int c = 0; c < cols; c++) variance += (x[r * cols + c] - mean) * (x[r * cols + c] - mean);
            variance /= cols;
            for (int c = 0; c < cols; c++) y[r * cols + c] = (x[r * cols + c] - mean) / Math.Sqrt(variance + eps) * gamma[c] + beta[c];
        }
        return y;
    }

    /// <summary>Exact GELU (erf form), ReLU6, SiLU, sigmoid.</summary>
    static double Activation(OpKind kind, double v) => kind switch
    {
        OpKind.Gelu => v < 0 ? v * 0.5 * Erfc(-v / Math.Sqrt(2)) : v * 0.5 * (1 + Erf(v / Math.Sqrt(2))),
        OpKind.Relu6 => Math.Min(Math.Max(v, 0), 6),
        OpKind.Silu => v / (1 + Math.Exp(-v)),
        OpKind.Sigmoid => 1 / (1 + Math.Exp(-v)),
        _ => throw new NotSupportedException(kind.ToString()),
    };

    /// <summary>torch.softmax over the last dimension, max-subtracted.</summary>
    static double[] Softmax(double[] x, int cols)
    {
        var y = new double[x.Length];
        for (long r = 0; r < x.Length / cols; r++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int c = 0; c < cols; c++) max = Math.Max(max, x[r * cols + c]);
            for (int c = 0; c < cols; c++) sum += y[r * cols + c] = Math.Exp(x[r * cols + c] - max);
            for (int c = 0; c < cols; c++) y[r * cols + c] /= sum;
        }
        return y;
    }

    /// <summary>HF ViT/BEiT self-attention on fused QKV [B, T, 3·D]: softmax(scale·Q·Kᵀ + bias)·V per head, heads concatenated.</summary>
    static double[] Attention(double[] qkv, int[] shape, AttentionAttributes a, double[]? bias, bool biasPerBatch)
    {
        int batch = shape[0], tokens = shape[1], d = shape[2], heads = a.Heads, hd = d / heads, row = 3 * d;
        var y = new double[(long)batch * tokens * d];
        var p = new double[tokens];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < tokens; i++)
                {
                    double max = double.NegativeInfinity, sum = 0;
                    for (int j = 0; j < tokens; j++)
                    {
                        double dot = 0;
                        for (int e = 0; e < hd; e++) dot += qkv[((long)b * tokens + i) * row + h * hd + e] * qkv[((long)b * tokens + j) * row + d + h * hd + e];
                        p[j] = a.Scale * dot + (bias?[(((long)(biasPerBatch ? b * heads : 0) + h) * tokens + i) * tokens + j] ?? 0);
                        max = Math.Max(max, p[j]);
                    }
                    for (int j = 0; j < tokens; j++) sum += p[j] = Math.Exp(p[j] - max);
                    for (int e = 0; e < hd; e++)
                    {
                        double acc = 0;
                        for (int j = 0; j < tokens; j++) acc += p[j] / sum * qkv[((long)b * tokens + j) * row + 2 * d + h * hd + e];
                        y[((long)b * tokens + i) * d + h * hd + e] = acc;
                    }
                }
        return y;
    }

    /// <summary>NumPy broadcasting of f(a, b) to <paramref name="ys"/>.</summary>
    static double[] Binary(double[] a, int[] aShape, double[] b, int[] bShape, int[] ys, Func<double, double, double> f)
    {
        var sa = ShapeMath.BroadcastStrides(aShape, ys);
        var sb = ShapeMath.BroadcastStrides(bShape, ys);
        var y = new double[ShapeMath.Count(ys)];
        var index = new int[ys.Length];
        for (long i = 0; i < y.Length; i++)
        {
            long ia = 0, ib = 0;
            for (int k = 0; k < ys.Length; k++) { ia += index[k] * sa[k]; ib += index[k] * sb[k]; }
            y[i] = f(a[ia], b[ib]);
            for (int k = ys.Length - 1; k >= 0 && ++index[k] == ys[k]; k--) index[k] = 0;
        }
        return y;
    }

    static double[] Transpose(double[] x, int[] shape, int[] perm)
    {
        var strides = ShapeMath.Strides(shape);
        int[] ys = perm.Select(p => shape[p]).ToArray();
        var y = new double[x.Length];
        var index = new int[ys.Length];
        for (long i = 0; i < y.Length; i++)
        {
            long at = 0;
            for (int k = 0; k < ys.Length; k++) at += index[k] * strides[perm[k]];
            y[i] = x[at];
            for (int k = ys.Length - 1; k >= 0 && ++index[k] == ys[k]; k--) index[k] = 0;
        }
        return y;
    }

    static double[] Concat(Node node, Dictionary<Node, double[]> values)
    {
        int axis = node.Attr<AxisAttributes>().Axis;
        long outer = ShapeMath.Count(node.Shape.AsSpan(0, axis)), inner = ShapeMath.Count(node.Shape.AsSpan(axis + 1));
        var y = new double[node.ElementCount];
        long offset = 0;
        foreach (var input in node.Inputs)
        {
            long block = input.Shape[axis] * inner;
            for (long o = 0; o < outer; o++) Array.Copy(values[input], o * block, y, o * node.Shape[axis] * inner + offset, block);
            offset += block;
        }
        return y;
    }

    static double[] Slice(double[] x, int[] shape, SliceAttributes s)
    {
        long outer = ShapeMath.Count(shape.AsSpan(0, s.Axis)), inner = ShapeMath.Count(shape.AsSpan(s.Axis + 1)), n = s.End - s.Start;
        var y = new double[outer * n * inner];
        for (long o = 0; o < outer; o++) Array.Copy(x, (o * shape[s.Axis] + s.Start) * inner, y, o * n * inner, n * inner);
        return y;
    }

    static double[] ReduceMean(double[] x, int[] shape, int axis)
    {
        long outer = ShapeMath.Count(shape.AsSpan(0, axis)), inner = ShapeMath.Count(shape.AsSpan(axis + 1));
        int n = shape[axis];
        var y = new double[outer * inner];
        for (long o = 0; o < outer; o++)
            for (long i = 0; i < inner; i++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++) sum += x[(o * n + k) * inner + i];
                y[o * inner + i] = sum / n;
            }
        return y;
    }

    /// <summary>HF's projection(x).flatten(2).transpose(1, 2): a P×P, stride-P convolution, tokens in row-major patch order.</summary>
    static double[] PatchEmbedding(Node node, double[] x, double[] w, double[] b)
    {
        var xs = node.Inputs[0].Shape;
        var ws = node.Inputs[1].Shape;
        int p = ws[2], d = ws[0], gh = xs[2] / p, gw = xs[3] / p;
        var conv = Conv2d(x, xs, w, ws, b, [xs[0], d, gh, gw], new Conv2dAttributes(p, p, default, 1, 1, 1));
        return Transpose(conv, [xs[0], d, gh * gw], [0, 2, 1]);
    }

    /// <summary>Squeeze-and-excitation: y = x·sigmoid(W2·act(W1·mean_hw(x) + b1) + b2) per channel.</summary>
    static double[] SqueezeExcite(double[] x, int[] shape, double[] w1, double[] b1, double[] w2, double[] b2, int reduced, OpKind activation)
    {
        int batch = shape[0], c = shape[1];
        long plane = (long)shape[2] * shape[3];
        var y = new double[x.Length];
        var mean = ReduceMean(x, [batch, c, (int)plane], 2);
        for (int n = 0; n < batch; n++)
        {
            var r = new double[reduced];
            for (int j = 0; j < reduced; j++)
            {
                double sum = b1[j];
                for (int k = 0; k < c; k++) sum += w1[(long)j * c + k] * mean[(long)n * c + k];
                r[j] = Activation(activation, sum);
            }
            for (int k = 0; k < c; k++)
            {
                double sum = b2[k];
                for (int j = 0; j < reduced; j++) sum += w2[(long)k * reduced + j] * r[j];
                double scale = 1 / (1 + Math.Exp(-sum));
                for (long i = 0; i < plane; i++) y[((long)n * c + k) * plane + i] = x[((long)n * c + k) * plane + i] * scale;
            }
        }
        return y;
    }

    /// <summary>erf by the all-positive series (A&amp;S 7.1.6) below 2, else 1 − erfc by the continued fraction; ~1e-15.</summary>
    static double Erf(double x)
    {
        double a = Math.Abs(x);
        double r = a < 2 ? ErfSeries(a) : 1 - ErfcFraction(a);
        return x < 0 ? -r : r;
    }

    static double Erfc(double x) => x < 0 ? 1 + Erf(-x) : x < 2 ? 1 - ErfSeries(x) : ErfcFraction(x);

    static double ErfSeries(double x)
    {
        double term = x, sum = x;
        for (int n = 1; n < 500 && term > 1e-18 * sum; n++)
        {
            term *= 2 * x * x / (2 * n + 1);
            sum += term;
        }
        return 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x) * sum;
    }

    /// <summary>A&amp;S 7.1.14 by the modified Lentz method (x &gt; 0).</summary>
    static double ErfcFraction(double x)
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
