namespace HipVision.Tests.Reference;

static partial class RefOps
{
    /// <summary>
    /// torch.add / torch.mul with NumPy broadcasting: shapes right-aligned, a dimension of 1 repeats;
    /// every output index is mapped back to each operand independently.
    /// </summary>
    public static double[] Binary(double[] a, int[] aShape, double[] b, int[] bShape, Func<double, double, double> f, out int[] yShape)
    {
        int rank = Math.Max(aShape.Length, bShape.Length);
        yShape = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int da = Dim(aShape, d, rank), db = Dim(bShape, d, rank);
            if (da != db && da != 1 && db != 1) throw new ArgumentException("shapes do not broadcast");
            yShape[d] = Math.Max(da, db);
        }
        int count = Count(yShape);
        var y = new double[count];
        var index = new int[rank];
        for (int i = 0; i < count; i++)
        {
            Unravel(i, yShape, index);
            y[i] = f(a[BroadcastIndex(index, aShape)], b[BroadcastIndex(index, bShape)]);
        }
        return y;
    }

    /// <summary>torch.Tensor.permute: y[i₀…iₙ] = x[j] with j[perm[d]] = i[d].</summary>
    public static double[] Transpose(double[] x, int[] shape, int[] perm)
    {
        var yShape = perm.Select(p => shape[p]).ToArray();
        var y = new double[x.Length];
        var yi = new int[shape.Length];
        var xi = new int[shape.Length];
        for (int i = 0; i < y.Length; i++)
        {
            Unravel(i, yShape, yi);
            for (int d = 0; d < perm.Length; d++) xi[perm[d]] = yi[d];
            y[i] = x[Ravel(xi, shape)];
        }
        return y;
    }

    /// <summary>torch.cat(xs, dim=axis).</summary>
    public static double[] Concat(double[][] xs, int[][] shapes, int axis, out int[] yShape)
    {
        yShape = (int[])shapes[0].Clone();
        yShape[axis] = shapes.Sum(s => s[axis]);
        var y = new double[Count(yShape)];
        var index = new int[yShape.Length];
        for (int i = 0; i < y.Length; i++)
        {
            Unravel(i, yShape, index);
            int which = 0, along = index[axis];
            while (along >= shapes[which][axis]) along -= shapes[which++][axis];
            var src = (int[])index.Clone();
            src[axis] = along;
            y[i] = xs[which][Ravel(src, shapes[which])];
        }
        return y;
    }

    /// <summary>x.narrow(axis, start, end − start), i.e. x[..., start:end, ...].</summary>
    public static double[] Slice(double[] x, int[] shape, int axis, int start, int end)
    {
        var yShape = (int[])shape.Clone();
        yShape[axis] = end - start;
        var y = new double[Count(yShape)];
        var index = new int[shape.Length];
        for (int i = 0; i < y.Length; i++)
        {
            Unravel(i, yShape, index);
            index[axis] += start;
            y[i] = x[Ravel(index, shape)];
        }
        return y;
    }

    /// <summary>torch.Tensor.expand (same rank): dimensions of size 1 repeat.</summary>
    public static double[] Expand(double[] x, int[] shape, int[] yShape) =>
        Binary(x, shape, new double[Count(yShape)], yShape, (a, _) => a, out _);

    /// <summary>torch.mean(x, dim=axis) (keepdim=False): Σ over the axis / its size.</summary>
    public static double[] ReduceMean(double[] x, int[] shape, int axis)
    {
        int outer = Count(shape[..axis]), n = shape[axis], inner = Count(shape[(axis + 1)..]);
        var y = new double[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++) sum += x[(o * n + k) * inner + i];
                y[o * inner + i] = sum / n;
            }
        return y;
    }

    public static int Count(int[] shape) => shape.Aggregate(1, (p, d) => p * d);

    static int Dim(int[] shape, int d, int rank) => d < rank - shape.Length ? 1 : shape[d - (rank - shape.Length)];

    static void Unravel(int flat, int[] shape, int[] index)
    {
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
    }

    static int Ravel(int[] index, int[] shape)
    {
        int flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + index[d];
        return flat;
    }

    /// <summary>Flat index into an operand of <paramref name="shape"/> for an output index (right-aligned, size-1 dims pinned to 0).</summary>
    static int BroadcastIndex(int[] outIndex, int[] shape)
    {
        int offset = outIndex.Length - shape.Length, flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + (shape[d] == 1 ? 0 : outIndex[d + offset]);
        return flat;
    }
}
