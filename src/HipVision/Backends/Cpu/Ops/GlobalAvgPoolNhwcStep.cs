using System.Runtime.CompilerServices;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// Global average pool on a channels-last tensor: x [B, H, W, C] → y [B, C], P = H·W,
///   y[b, c] = (Σ_p x[b, p, c]) / P          (sum in float, then one division, as the NCHW ReduceMeanStep)
/// Geometry: each image's P pixels are cut into chunks of <see cref="RowsPerItem"/> pixels (≈ 64 KiB streamed per
/// chunk, so a fork-join costs less than the work it hands out); B·chunks work items over CpuParallel.For each
/// write a partial sum row of C floats (NhwcRows.Sum: vectorised over channels, 4 vector accumulators kept in
/// registers across pixels). The partial rows of an image are then added in chunk order on the caller and divided
/// by P. Partial-sum scratch is a pinned array made once; a run allocates nothing.
/// Reference: tests/HipVision.Tests/Reference/RefOps.Conv.cs GlobalAvgPool (float64, NCHW) on the transposed data.
/// </summary>
internal sealed unsafe class GlobalAvgPoolNhwcStep : CpuStep
{
    /// <summary>Smallest amount of streamed data worth one work item (64 KiB).</summary>
    internal const int MinFloatsPerItem = 16 * 1024;

    readonly CpuTensor _x, _y;
    readonly int _threads, _batch, _pixels, _channels, _chunks;
    readonly float[] _partial;
    readonly float* _pp;
    readonly Action<int> _sum;

    public GlobalAvgPoolNhwcStep(string name, CpuTensor x, CpuTensor y, int threads) : base(name, "GlobalAvgPool(nhwc)")
    {
        if (x.Shape.Length != 4 || y.Count != (long)x.Shape[0] * x.Shape[3] || y.Shape[0] != x.Shape[0])
            throw new ArgumentException("global average pool NHWC expects x [B, H, W, C] and y [B, C]");
        (_x, _y, _threads) = (x, y, threads);
        (_batch, _pixels, _channels) = (x.Shape[0], x.Shape[1] * x.Shape[2], x.Shape[3]);
        RowsPerItem = NhwcRows.RowsPerItem(_channels, _pixels, MinFloatsPerItem);
        _chunks = (_pixels + RowsPerItem - 1) / RowsPerItem;
        _partial = GC.AllocateArray<float>(Math.Max(1, _batch * _chunks * _channels), pinned: true);
        _pp = (float*)Unsafe.AsPointer(ref _partial[0]);
        _sum = Sum;
    }

    /// <summary>Pixels per parallel work item.</summary>
    internal int RowsPerItem { get; }

    public override void Run()
    {
        CpuParallel.For(_threads, _batch * _chunks, _sum);
        for (int b = 0; b < _batch; b++)
            Combine(_pp + (long)b * _chunks * _channels, _chunks, _channels, _pixels, _y.Pointer + (long)b * _channels);
    }

    void Sum(int item)
    {
        int b = item / _chunks, first = item % _chunks * RowsPerItem, rows = Math.Min(RowsPerItem, _pixels - first);
        NhwcRows.Sum(_x.Pointer + ((long)b * _pixels + first) * _channels, rows, _channels, _pp + (long)item * _channels);
    }

    /// <summary>dst[c] = (Σ_k partial[k, c]) / pixels, chunks added in order.</summary>
    internal static void Combine(float* partial, int chunks, int channels, int pixels, float* dst)
    {
        var d = new Span<float>(dst, channels);
        new ReadOnlySpan<float>(partial, channels).CopyTo(d);
        for (int k = 1; k < chunks; k++)
            System.Numerics.Tensors.TensorPrimitives.Add(d, new ReadOnlySpan<float>(partial + (long)k * channels, channels), d);
        System.Numerics.Tensors.TensorPrimitives.Divide(d, (float)pixels, d);
    }
}
