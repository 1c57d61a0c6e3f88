using HipVision.Graph;

namespace HipVision.Backends.Cpu;

/// <summary>A tensor the CPU plan has placed: a pointer into pinned memory (arena or weights) and its shape.</summary>
internal readonly unsafe struct CpuTensor(nint address, int[] shape)
{
    public readonly nint Address = address;
    public readonly int[] Shape = shape;

    public float* Pointer => (float*)Address;

    public long Count => ShapeMath.Count(Shape);

    public Span<float> Span => new(Pointer, checked((int)Count));
}
