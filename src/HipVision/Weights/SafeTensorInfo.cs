namespace HipVision.Weights;

/// <summary>
/// One tensor of a safetensors file as its header describes it. <see cref="DataBegin"/> and
/// <see cref="DataEnd"/> are the header's <c>data_offsets</c>, relative to the start of the data
/// section (the byte after the header), not to the start of the file.
/// </summary>
/// <param name="Name">Tensor name, e.g. <c>vit.embeddings.cls_token</c>.</param>
/// <param name="Dtype">Element type.</param>
/// <param name="Shape">Shape in C (row-major) order; empty for a 0-d tensor.</param>
/// <param name="DataBegin">First byte, relative to the data section.</param>
/// <param name="DataEnd">One past the last byte, relative to the data section.</param>
public sealed record SafeTensorInfo(string Name, SafeTensorDtype Dtype, int[] Shape, long DataBegin, long DataEnd)
{
    /// <summary>Number of elements (product of the shape; 1 for a 0-d tensor).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>Length of the data in bytes.</summary>
    public long ByteLength => DataEnd - DataBegin;

    /// <summary>The shape written like the error messages write it, e.g. <c>[1, 197, 768]</c>.</summary>
    public string ShapeText => WeightShapes.Format(Shape);
}
