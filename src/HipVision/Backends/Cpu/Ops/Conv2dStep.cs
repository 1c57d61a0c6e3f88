namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// Dense convolution (groups = 1) as im2col + GEMM, one image at a time: the receptive field of each output
/// pixel becomes one row of cols [Ho·Wo, C·kh·kw] (zero where padding), rows·Wᵀ + b gives [Ho·Wo, O] with the
/// packed weight, then one transpose writes NCHW. A ReLU6 the plan fuses clamps the GEMM output (contiguous, still in cache) before the transpose.
/// </summary>
internal sealed unsafe class Conv2dStep(string name, CpuTensor x, PackedMatrix weight, nint bias, CpuTensor y,
    Graph.Conv2dAttributes a, int kernelH, int kernelW, CpuTensor cols, CpuTensor pixelMajor, Graph.OpKind? activation, int threads)
    : CpuStep(name, activation is { } act ? $"Conv2d+{act}" : "Conv2d")
{
    public override void Run()
    {
        int batch = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int o = y.Shape[1], oh = y.Shape[2], ow = y.Shape[3], pixels = oh * ow, k = c * kernelH * kernelW;
        for (int b = 0; b < batch; b++)
        {
            float* image = x.Pointer + (long)b * c * h * w;
            CpuParallel.For(threads, oh, oy =>
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    float* row = cols.Pointer + ((long)oy * ow + ox) * k;
                    int i = 0;
                    for (int ch = 0; ch < c; ch++)
                        for (int ky = 0; ky < kernelH; ky++)
                        {
                            int iy = oy * a.StrideH - a.Padding.Top + ky * a.DilationH;
                            for (int kx = 0; kx < kernelW; kx++, i++)
                            {
                                int ix = ox * a.StrideW - a.Padding.Left + kx * a.DilationW;
                                row[i] = (uint)iy < (uint)h && (uint)ix < (uint)w ? image[((long)ch * h + iy) * w + ix] : 0f;
                            }
                        }
                }
            });
            Sgemm.Multiply(cols.Pointer, k, pixels, weight, (float*)bias, pixelMajor.Pointer, o, accumulate: false, threads);
            if (activation is { } act) UnaryStep.Apply(act, new ReadOnlySpan<float>(pixelMajor.Pointer, pixels * o), new Span<float>(pixelMajor.Pointer, pixels * o));
            float* dst = y.Pointer + (long)b * o * pixels;
            CpuParallel.For(threads, o, oc =>
            {
                for (int p = 0; p < pixels; p++) dst[(long)oc * pixels + p] = pixelMajor.Pointer[(long)p * o + oc];
            });
        }
    }
}
