namespace HipVision.Backends.Cpu.Ops;

/// <summary>Concatenation along one axis: for each outer index, each input's contiguous block in turn.</summary>
internal sealed unsafe class ConcatStep(string name, CpuTensor[] xs, CpuTensor y, int axis) : CpuStep(name, "Concat")
{
    public override void Run()
    {
        long outer = 1;
        for (int d = 0; d < axis; d++) outer *= y.Shape[d];
        float* dst = y.Pointer;
        for (long o = 0; o < outer; o++)
            foreach (var x in xs)
            {
                long block = x.Count / outer;
                new ReadOnlySpan<float>(x.Pointer + o * block, (int)block).CopyTo(new Span<float>(dst, (int)block));
                dst += block;
            }
    }
}
