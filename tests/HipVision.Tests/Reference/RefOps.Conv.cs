namespace HipVision.Tests.Reference;

static partial class RefOps
{
    /// <summary>
    /// torch.nn.functional.conv2d after F.pad(x, (left, right, top, bottom)) with zeros: x [B, C, H, W],
    /// w [O, C/G, kh, kw], y[b, o, oy, ox] = bias[o] + Σ_{ci, ky, kx} x[b, g·C/G + ci, oy·sh − top + ky·dh, ox·sw − left + kx·dw]·w[o, ci, ky, kx]
    /// with g = o / (O/G); output size ⌊(H + top + bottom − dh·(kh − 1) − 1)/sh⌋ + 1.
    /// </summary>
    public static double[] Conv2d(double[] x, int[] xShape, double[] w, int[] wShape, double[]? bias,
        int strideH, int strideW, int top, int bottom, int left, int right, int dilationH, int dilationW, int groups, out int[] yShape)
    {
        int batch = xShape[0], c = xShape[1], h = xShape[2], wd = xShape[3];
        int o = wShape[0], cpg = wShape[1], kh = wShape[2], kw = wShape[3], opg = o / groups;
        if (cpg * groups != c) throw new ArgumentException("weight does not fit the groups");
        int oh = FloorDiv(h + top + bottom - dilationH * (kh - 1) - 1, strideH) + 1;
        int ow = FloorDiv(wd + left + right - dilationW * (kw - 1) - 1, strideW) + 1;
        yShape = [batch, o, oh, ow];
        var y = new double[batch * o * oh * ow];
        for (int b = 0; b < batch; b++)
            for (int oc = 0; oc < o; oc++)
            {
                int g = oc / opg;
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double sum = bias?[oc] ?? 0.0;
                        for (int ci = 0; ci < cpg; ci++)
                            for (int ky = 0; ky < kh; ky++)
                                for (int kx = 0; kx < kw; kx++)
                                {
                                    int iy = oy * strideH - top + ky * dilationH, ix = ox * strideW - left + kx * dilationW;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue; // zero padding
                                    sum += x[((b * c + g * cpg + ci) * h + iy) * wd + ix] * w[((oc * cpg + ci) * kh + ky) * kw + kx];
                                }
                        y[((b * o + oc) * oh + oy) * ow + ox] = sum;
                    }
            }
        return y;
    }

    static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);

    /// <summary>
    /// TensorFlow "SAME" padding as the TF documentation (tf.nn.convolution, "SAME") writes it, with the
    /// effective filter size (k − 1)·d + 1 for dilation: pad_along = max(k_eff − s, 0) when in % s == 0,
    /// else max(k_eff − in % s, 0); before = pad_along / 2, after = the rest (the extra pixel goes after).
    /// </summary>
    public static (int Before, int After) TensorFlowSamePadding(int input, int kernel, int stride, int dilation = 1)
    {
        int effective = (kernel - 1) * dilation + 1;
        int along = input % stride == 0 ? Math.Max(effective - stride, 0) : Math.Max(effective - input % stride, 0);
        return (along / 2, along - along / 2);
    }

    /// <summary>
    /// HF ViTPatchEmbeddings / BeitPatchEmbeddings: projection = Conv2d(C, D, kernel P, stride P), then
    /// embeddings = projection(pixel_values).flatten(2).transpose(1, 2) → [B, (H/P)·(W/P), D].
    /// </summary>
    public static double[] PatchEmbedding(double[] x, int[] xShape, double[] w, int[] wShape, double[] bias)
    {
        int p = wShape[2];
        var conv = Conv2d(x, xShape, w, wShape, bias, p, p, 0, 0, 0, 0, 1, 1, 1, out var cs);
        int batch = cs[0], d = cs[1], tokens = cs[2] * cs[3];
        return Transpose(conv, [batch, d, tokens], [0, 2, 1]);
    }

    /// <summary>nn.AdaptiveAvgPool2d(1) then flatten: [B, C, H, W] → [B, C], the mean over H·W.</summary>
    public static double[] GlobalAvgPool(double[] x, int[] shape) => ReduceMean(x, [shape[0], shape[1], shape[2] * shape[3]], 2);

    /// <summary>
    /// HF EfficientNetSqueezeExciteLayer: squeeze = AdaptiveAvgPool2d(1); reduce = Conv2d(C, R, 1) then act
    /// (config.hidden_act, swish for EfficientNet); expand = Conv2d(R, C, 1) then Sigmoid; y = x·excitation.
    /// Written as the composition of the reference ops.
    /// </summary>
    public static double[] SqueezeExcite(double[] x, int[] shape, double[] w1, double[] b1, double[] w2, double[] b2, int reduced, Func<double, double> act)
    {
        int batch = shape[0], c = shape[1];
        var squeezed = GlobalAvgPool(x, shape);
        var r = Map(Conv2d(squeezed, [batch, c, 1, 1], w1, [reduced, c, 1, 1], b1, 1, 1, 0, 0, 0, 0, 1, 1, 1, out _), act);
        var e = Map(Conv2d(r, [batch, reduced, 1, 1], w2, [c, reduced, 1, 1], b2, 1, 1, 0, 0, 0, 0, 1, 1, 1, out _), Sigmoid);
        return Binary(x, shape, e, [batch, c, 1, 1], (a, b) => a * b, out _);
    }
}
