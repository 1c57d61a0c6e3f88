namespace HipVision.Backends.Cpu.Ops;

/// <summary>y[M, N] = x[M, K]·Wᵀ + b with W packed once at compile time.</summary>
internal sealed unsafe class LinearStep(string name, CpuTensor x, PackedMatrix weight, nint bias, CpuTensor y, int threads) : CpuStep(name, "Linear")
{
    public override void Run()
    {
        int k = weight.K, m = (int)(x.Count / k);
        Sgemm.Multiply(x.Pointer, k, m, weight, (float*)bias, y.Pointer, weight.N, accumulate: false, threads);
    }
}
