namespace HipVision.Backends.Cpu.Ops;

/// <summary>Softmax over the last dimension (max-subtracted, CpuMath.Softmax), rows over the threads.</summary>
internal sealed unsafe class SoftmaxStep(string name, CpuTensor x, CpuTensor y, int threads) : CpuStep(name, "Softmax")
{
    public override void Run()
    {
        int cols = x.Shape[^1];
        int rows = (int)(x.Count / cols);
        CpuParallel.For(rows >= 64 ? threads : 1, rows, r =>
            CpuMath.Softmax(new ReadOnlySpan<float>(x.Pointer + (long)r * cols, cols), new Span<float>(y.Pointer + (long)r * cols, cols)));
    }
}
