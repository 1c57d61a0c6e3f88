namespace HipVision.Imaging;

/// <summary>
/// Per-output-pixel source windows and weights for one axis of Pillow's convolution resize
/// (Resample.c <c>precompute_coeffs</c> + <c>normalize_coeffs_8bpc</c>).
/// </summary>
/// <remarks>
/// Math, for output pixel i of an axis mapping [in0, in1) onto outSize pixels:
///   scale = (in1 − in0) / outSize;  fs = max(scale, 1)  (widen the kernel when reducing: antialiasing)
///   support = filterSupport · fs;   centre = in0 + (i + 0.5) · scale
///   first = trunc(centre − support + 0.5) clamped to ≥ 0;  end = trunc(centre + support + 0.5) clamped to ≤ inSize
///   w_j = filter((j − centre + 0.5) / fs) for j in [first, end), then divided by Σ w
///   fixed_j = trunc(w_j · 2^22 ± 0.5)  (round half away from zero; 22 = 32 − 8 − 2 bits of headroom
///   for negative lobes and overshoot in an int32 accumulator).
/// Every step keeps Pillow's operand order and its float→double promotions so the doubles match exactly.
/// </remarks>
internal sealed class ResampleCoefficients
{
    /// <summary>Fixed-point fraction bits of the 8-bit path.</summary>
    public const int PrecisionBits = 32 - 8 - 2;

    ResampleCoefficients(int outSize, int stride, int[] first, int[] count, int[] weights)
    {
        OutSize = outSize;
        Stride = stride;
        First = first;
        Count = count;
        Weights = weights;
    }

    /// <summary>Number of output pixels along the axis.</summary>
    public int OutSize { get; }

    /// <summary>Weights per output pixel in <see cref="Weights"/> (Pillow's ksize).</summary>
    public int Stride { get; }

    /// <summary>First source index used by each output pixel.</summary>
    public int[] First { get; }

    /// <summary>Number of source pixels used by each output pixel.</summary>
    public int[] Count { get; }

    /// <summary>Fixed-point weights, <see cref="Stride"/> per output pixel, scaled by 2^<see cref="PrecisionBits"/>.</summary>
    public int[] Weights { get; }

    /// <summary>Computes the axis mapping source span [<paramref name="in0"/>, <paramref name="in1"/>) of an axis of <paramref name="inSize"/> pixels onto <paramref name="outSize"/> pixels.</summary>
    public static ResampleCoefficients Compute(int inSize, float in0, float in1, int outSize, PilResample mode)
    {
        // (in1 - in0) is a float subtraction in Pillow (the box is float[4]); only then widened to double.
        double scale = (double)(in1 - in0) / outSize;
        double filterScale = scale < 1.0 ? 1.0 : scale;
        double support = PilFilter.Support(mode) * filterScale;
        int stride = (int)Math.Ceiling(support) * 2 + 1;
        if ((long)outSize * stride > Array.MaxLength)
            throw new HipVisionException($"resize to {outSize} pixels from {inSize} needs too many filter coefficients");

        var first = new int[outSize];
        var count = new int[outSize];
        var weights = new int[outSize * stride];
        var w = new double[stride];
        double invScale = 1.0 / filterScale;
        for (int i = 0; i < outSize; i++)
        {
            double centre = in0 + (i + 0.5) * scale;
            int lo = (int)(centre - support + 0.5);
            if (lo < 0) lo = 0;
            int hi = (int)(centre + support + 0.5);
            if (hi > inSize) hi = inSize;
            int n = hi - lo;
            double sum = 0.0;
            for (int j = 0; j < n; j++)
            {
                w[j] = PilFilter.Evaluate(mode, (j + lo - centre + 0.5) * invScale);
                sum += w[j];
            }
            for (int j = 0; j < n; j++)
            {
                double k = sum != 0.0 ? w[j] / sum : w[j];
                weights[i * stride + j] = k < 0
                    ? (int)(-0.5 + k * (1 << PrecisionBits))
                    : (int)(0.5 + k * (1 << PrecisionBits));
            }
            first[i] = lo;
            count[i] = n;
        }
        return new ResampleCoefficients(outSize, stride, first, count, weights);
    }
}
