namespace HipVision.Weights;

/// <summary>Copies a strided view (PyTorch's size/stride, in elements) into a C-order buffer.</summary>
internal static class StridedCopy
{
    /// <summary>
    /// dst[i0, ..., in] = src[Σ ik·stride[k]] element by element, for every index in C order. The view starts
    /// at element 0 of <paramref name="src"/>; the caller has checked that it stays inside.
    /// </summary>
    public static void Gather(ReadOnlySpan<byte> src, int[] shape, long[] stride, int elementSize, Span<byte> dst)
    {
        int rank = shape.Length;
        long count = 1;
        foreach (var d in shape) count *= d;
        if (count == 0) return;
        if (rank == 0)
        {
            src[..elementSize].CopyTo(dst);
            return;
        }
        // An odometer over all dimensions but the last, which the inner loop walks.
        var index = new int[rank];
        int inner = shape[rank - 1];
        long innerStride = stride[rank - 1] * elementSize;
        long srcRow = 0;
        int written = 0;
        while (true)
        {
            long at = srcRow * elementSize;
            for (int i = 0; i < inner; i++, at += innerStride, written += elementSize)
                src.Slice((int)at, elementSize).CopyTo(dst[written..]);
            int d = rank - 2;
            for (; d >= 0; d--)
            {
                srcRow += stride[d];
                if (++index[d] < shape[d]) break;
                srcRow -= stride[d] * shape[d];
                index[d] = 0;
            }
            if (d < 0) return;
        }
    }
}
