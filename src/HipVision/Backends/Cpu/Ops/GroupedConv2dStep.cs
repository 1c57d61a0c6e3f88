namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// Direct convolution for groups > 1, depthwise included (groups = C = O, the MobileNet/EfficientNet case):
/// y[b, o, oy, ox] = bias[o] + Σ_{ci in group(o), ky, kx} x[b, ci, oy·s − pad_top + ky·d, ox·s − pad_left + kx·d]·W[o, ci − g·C/G, ky, kx].
/// One (batch, output channel) plane per work item; interior pixels skip the bounds checks.
/// </summary>
internal sealed unsafe class GroupedConv2dStep(string name, CpuTensor x, CpuTensor weight, nint bias, CpuTensor y, Graph.Conv2dAttributes a, int threads)
    : CpuStep(name, "Conv2d(grouped)")
{
    public override void Run()
    {
        int batch = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int o = y.Shape[1], oh = y.Shape[2], ow = y.Shape[3];
        int kh = weight.Shape[2], kw = weight.Shape[3], cpg = c / a.Groups, opg = o / a.Groups;
        CpuParallel.For(threads, batch * o, job =>
        {
            int b = job / o, oc = job % o, g = oc / opg;
            float* dst = y.Pointer + (long)job * oh * ow;
            float bv = bias == 0 ? 0f : ((float*)bias)[oc];
            for (int i = 0; i < oh * ow; i++) dst[i] = bv;
            for (int ci = 0; ci < cpg; ci++)
            {
                float* src = x.Pointer + ((long)b * c + g * cpg + ci) * h * w;
                float* kern = weight.Pointer + ((long)oc * cpg + ci) * kh * kw;
                for (int oy = 0; oy < oh; oy++)
                {
                    int iy0 = oy * a.StrideH - a.Padding.Top;
                    float* drow = dst + (long)oy * ow;
                    for (int ky = 0; ky < kh; ky++)
                    {
                        int iy = iy0 + ky * a.DilationH;
                        if ((uint)iy >= (uint)h) continue;
                        float* srow = src + (long)iy * w;
                        for (int kx = 0; kx < kw; kx++)
                        {
                            float wv = kern[ky * kw + kx];
                            int dx = kx * a.DilationW - a.Padding.Left;
                            // ox range whose input column ix = ox·s + dx lies inside [0, w)
                            int first = dx >= 0 ? 0 : (-dx + a.StrideW - 1) / a.StrideW;
                            int last = Math.Min(ow - 1, (w - 1 - dx) / a.StrideW);
                            if (w - 1 - dx < 0) continue;
                            for (int ox = first; ox <= last; ox++) drow[ox] += wv * srow[ox * a.StrideW + dx];
                        }
                    }
                }
            }
        });
    }
}
