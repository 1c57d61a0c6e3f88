namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// Patch embedding as gather + GEMM: patches of x [B, C, H, W] are gathered into rows [B·T, C·P·P]
/// (column order c, ky, kx, matching the flattened conv weight [D, C, P, P]), then rows·Wᵀ + b → [B, T, D].
/// Patches past a border that P does not divide are dropped, as a stride-P conv does.
/// </summary>
internal sealed unsafe class PatchEmbeddingStep(string name, CpuTensor x, PackedMatrix weight, nint bias, CpuTensor y, int patch, CpuTensor rows, int threads)
    : CpuStep(name, "PatchEmbedding")
{
    public override void Run()
    {
        int batch = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int ph = h / patch, pw = w / patch, tokens = ph * pw, cols = c * patch * patch;
        CpuParallel.For(threads, batch * ph, job =>
        {
            int b = job / ph, py = job % ph;
            for (int px = 0; px < pw; px++)
            {
                float* row = rows.Pointer + ((long)b * tokens + py * pw + px) * cols;
                for (int ch = 0; ch < c; ch++)
                    for (int ky = 0; ky < patch; ky++)
                        new ReadOnlySpan<float>(x.Pointer + (((long)b * c + ch) * h + py * patch + ky) * w + px * patch, patch)
                            .CopyTo(new Span<float>(row + (ch * patch + ky) * patch, patch));
            }
        });
        Sgemm.Multiply(rows.Pointer, cols, batch * tokens, weight, (float*)bias, y.Pointer, weight.N, accumulate: false, threads);
    }
}
