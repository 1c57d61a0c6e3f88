namespace HipVision.Weights;

/// <summary>
/// One state_dict entry of a PyTorch checkpoint as its pickle describes it: a strided view, in elements,
/// of the storage record <c>&lt;archive&gt;/data/&lt;StorageKey&gt;</c>.
/// </summary>
/// <param name="Name">State_dict key, e.g. <c>vit.embeddings.cls_token</c>.</param>
/// <param name="Dtype">Element type (from the storage class, e.g. torch.FloatStorage is F32).</param>
/// <param name="Shape">Size in C order; empty for a 0-d tensor.</param>
/// <param name="Stride">Stride of each dimension, in elements (not necessarily C-contiguous).</param>
/// <param name="StorageOffset">First element of the view within its storage.</param>
/// <param name="StorageKey">The storage's record name under <c>data/</c>.</param>
public sealed record PyTorchTensorInfo(string Name, SafeTensorDtype Dtype, int[] Shape, long[] Stride, long StorageOffset, string StorageKey)
{
    /// <summary>Number of elements (product of the shape; 1 for a 0-d tensor).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>True when the view is the C-order layout of its elements (dimensions of size 1 may have any stride).</summary>
    public bool IsContiguous
    {
        get
        {
            long expected = 1;
            for (int d = Shape.Length - 1; d >= 0; d--)
            {
                if (Shape[d] != 1 && Stride[d] != expected) return false;
                expected *= Shape[d];
            }
            return true;
        }
    }

    /// <summary>One past the last storage element the view touches (its offset when it has no elements).</summary>
    /// <exception cref="OverflowException">The view reaches past 2^63 elements (only a hostile file says so).</exception>
    public long StorageEnd
    {
        get
        {
            if (ElementCount == 0) return StorageOffset;
            long last = StorageOffset;
            for (int d = 0; d < Shape.Length; d++) last = checked(last + (Shape[d] - 1L) * Stride[d]);
            return checked(last + 1);
        }
    }
}
