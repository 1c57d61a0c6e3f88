namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// BatchNorm left unfolded (its input is not a convolution): per channel c of x [B, C, …],
/// y = x·k_c + (β_c − mean_c·k_c) with k_c = γ_c/√(var_c + eps), computed in double at compile time.
/// </summary>
internal sealed unsafe class BatchNormStep(string name, CpuTensor x, CpuTensor y, float[] scale, float[] shift) : CpuStep(name, "BatchNorm")
{
    public static BatchNormStep Create(string name, CpuTensor x, CpuTensor y, float[] gamma, float[] beta, float[] mean, float[] variance, double eps)
    {
        var scale = new float[gamma.Length];
        var shift = new float[gamma.Length];
        for (int c = 0; c < gamma.Length; c++)
        {
            double k = gamma[c] / Math.Sqrt(variance[c] + eps);
            scale[c] = (float)k;
            shift[c] = (float)(beta[c] - mean[c] * k);
        }
        return new BatchNormStep(name, x, y, scale, shift);
    }

    public override void Run()
    {
        int batch = x.Shape[0], c = x.Shape[1];
        long plane = x.Count / ((long)batch * c);
        for (int b = 0; b < batch; b++)
            for (int ch = 0; ch < c; ch++)
            {
                long start = ((long)b * c + ch) * plane;
                for (long i = 0; i < plane; i++) y.Pointer[start + i] = x.Pointer[start + i] * scale[ch] + shift[ch];
            }
    }
}
