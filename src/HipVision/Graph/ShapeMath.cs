namespace HipVision.Graph;

/// <summary>Small shape helpers shared by the builder and the backends.</summary>
public static class ShapeMath
{
    /// <summary>Product of the dimensions (1 for a scalar).</summary>
    public static long Count(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        return n;
    }

    /// <summary>Row-major strides (in elements) of a shape.</summary>
    public static long[] Strides(ReadOnlySpan<int> shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }
        return strides;
    }

    /// <summary>NumPy broadcast of two shapes, or null when they do not broadcast.</summary>
    public static int[]? Broadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1) return null;
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>"[2,197,768]".</summary>
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(",", shape.ToArray()) + "]";

    /// <summary>
    /// Strides (in elements) that read a tensor of <paramref name="shape"/> broadcast to <paramref name="outShape"/>:
    /// right-aligned, 0 where a dimension of size 1 is repeated.
    /// </summary>
    public static long[] BroadcastStrides(int[] shape, int[] outShape)
    {
        var own = Strides(shape);
        var strides = new long[outShape.Length];
        for (int d = 0; d < shape.Length; d++)
        {
            int od = d + outShape.Length - shape.Length;
            strides[od] = shape[d] == 1 && outShape[od] != 1 ? 0 : own[d];
        }
        return strides;
    }
}
