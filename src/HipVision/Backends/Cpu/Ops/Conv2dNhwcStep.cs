using HipVision.Graph;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// Dense convolution (groups 1) writing channels-last output, y[b, oy, ox, o] = bias[o] + Σ W[o, c, ky, kx]·x[…],
/// as one GEMM per image against the packed weight (the SGEMM's fast path): rows = output pixels.
/// A 1×1, stride-1, unpadded convolution of an NHWC input needs no gathering at all: the activation
/// [B·H·W, C] is the GEMM's A as stored. Otherwise the receptive field of each output pixel is gathered
/// into a row of cols [OH·OW, C·kh·kw] (order c, ky, kx, as the weight is flattened; zero in padding), from
/// an NCHW (the stem, reading the image) or NHWC input. The fused activation is applied afterwards in
/// parallel chunks of the output.
/// A direct convolution given <c>excite</c> (a squeeze-excite step's per-image channel scales e [B, C], see
/// <see cref="ExciteFusion"/>) computes y = (x ⊙ e[b])·W per image as x·(diag(e[b])·W): <c>scaled</c> receives the
/// packed weight with row c multiplied by e[b, c] before each image's GEMM.
/// </summary>
internal sealed unsafe class Conv2dNhwcStep(string name, CpuTensor x, bool inputNhwc, PackedMatrix weight, nint bias, CpuTensor y,
    Conv2dAttributes a, int kernelH, int kernelW, OpKind? activation, CpuTensor cols, int threads, SqueezeExciteNhwcStep? excite = null)
    : CpuStep(name, (kernelH == 1 && kernelW == 1 ? "Conv2d(1x1,nhwc)" : "Conv2d(nhwc)") + (excite != null ? "+excite" : "") + (activation is { } act ? $"+{act}" : ""))
{
    readonly PackedMatrix? _scaled = excite != null ? weight.EmptyCopy() : null;

    /// <summary>Bytes of the per-run scaled weight copy (0 without a fused excite).</summary>
    public long ScaledWeightBytes => _scaled is { } s ? (long)s.K * s.N * sizeof(float) : 0;

    const int Chunk = 1 << 14;

    /// <summary>True when the input needs no gathering (1×1, stride 1, no padding, NHWC input).</summary>
    public static bool IsDirect(bool inputNhwc, int kernelH, int kernelW, Conv2dAttributes a) =>
        inputNhwc && kernelH == 1 && kernelW == 1 && a.StrideH == 1 && a.StrideW == 1 && a.Padding == default;

    public override void Run()
    {
        int batch = y.Shape[0], oh = y.Shape[1], ow = y.Shape[2], o = y.Shape[3];
        int c = inputNhwc ? x.Shape[3] : x.Shape[1], h = inputNhwc ? x.Shape[1] : x.Shape[2], w = inputNhwc ? x.Shape[2] : x.Shape[3];
        if (excite != null && _scaled != null)
        {
            int pixels = oh * ow;
            for (int b = 0; b < batch; b++)
            {
                weight.ScaleRowsInto(_scaled, excite.Excite + (long)b * c);
                Sgemm.Multiply(x.Pointer + (long)b * pixels * c, c, pixels, _scaled, (float*)bias, y.Pointer + (long)b * pixels * o, o, accumulate: false, threads);
            }
        }
        else if (IsDirect(inputNhwc, kernelH, kernelW, a))
            Sgemm.Multiply(x.Pointer, c, batch * oh * ow, weight, (float*)bias, y.Pointer, o, accumulate: false, threads);
        else
        {
            int k = c * kernelH * kernelW, pixels = oh * ow;
            for (int b = 0; b < batch; b++)
            {
                float* image = x.Pointer + (long)b * c * h * w;
                CpuParallel.For(threads, oh, oy => Gather(image, c, h, w, oy, ow, k));
                Sgemm.Multiply(cols.Pointer, k, pixels, weight, (float*)bias, y.Pointer + (long)b * pixels * o, o, accumulate: false, threads);
            }
        }
        if (activation is not { } act) return;
        long count = y.Count;
        int chunks = (int)((count + Chunk - 1) / Chunk);
        CpuParallel.For(chunks > 1 ? threads : 1, chunks, i =>
        {
            long start = (long)i * Chunk;
            var part = new Span<float>(y.Pointer + start, (int)Math.Min(Chunk, count - start));
            UnaryStep.Apply(act, part, part);
        });
    }

    // One output row of cols: for each (c, ky, kx) column, the run of output pixels whose input column lies inside
    // the image is copied without bounds checks; the pixels before and after it (and whole rows outside) are zero.
    void Gather(float* image, int c, int h, int w, int oy, int ow, int k)
    {
        float* rowBase = cols.Pointer + (long)oy * ow * k;
        for (int ch = 0; ch < c; ch++)
            for (int ky = 0; ky < kernelH; ky++)
            {
                int iy = oy * a.StrideH - a.Padding.Top + ky * a.DilationH;
                bool rowInside = (uint)iy < (uint)h;
                for (int kx = 0; kx < kernelW; kx++)
                {
                    float* dst = rowBase + (ch * kernelH + ky) * kernelW + kx;
                    int dx = kx * a.DilationW - a.Padding.Left;
                    // ox range with 0 <= ox·s + dx < w
                    int first = rowInside ? Math.Max(0, (-dx + a.StrideW - 1) / a.StrideW) : ow;
                    int last = rowInside ? Math.Min(ow - 1, w - 1 - dx < 0 ? -1 : (w - 1 - dx) / a.StrideW) : -1;
                    for (int ox = 0; ox < Math.Min(first, ow); ox++) dst[(long)ox * k] = 0f;
                    if (inputNhwc)
                    {
                        float* src = image + ((long)iy * w + dx) * c + ch;
                        for (int ox = first; ox <= last; ox++) dst[(long)ox * k] = src[(long)ox * a.StrideW * c];
                    }
                    else
                    {
                        float* src = image + ((long)ch * h + iy) * w + dx;
                        for (int ox = first; ox <= last; ox++) dst[(long)ox * k] = src[ox * a.StrideW];
                    }
                    for (int ox = Math.Max(last + 1, 0); ox < ow; ox++) dst[(long)ox * k] = 0f;
                }
            }
    }
}
