namespace HipVision.Imaging;

/// <summary>
/// A Hugging Face image-processor size dictionary (<c>size</c> or <c>crop_size</c>): either an exact
/// <c>{"height", "width"}</c> or <c>{"shortest_edge"}</c>, the two forms the supported processors resize with.
/// </summary>
public sealed record SizeDict
{
    SizeDict(int? height, int? width, int? shortestEdge)
    {
        Height = height;
        Width = width;
        ShortestEdge = shortestEdge;
    }

    /// <summary>Target height in pixels, when the size is exact.</summary>
    public int? Height { get; }

    /// <summary>Target width in pixels, when the size is exact.</summary>
    public int? Width { get; }

    /// <summary>Target length of the shorter side, the other side keeping the aspect ratio.</summary>
    public int? ShortestEdge { get; }

    /// <summary>True for the <c>{"height", "width"}</c> form.</summary>
    public bool IsExact => Height.HasValue && Width.HasValue;

    /// <summary>An exact <c>{"height": h, "width": w}</c> size.</summary>
    public static SizeDict Exact(int height, int width)
    {
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"size {height}x{width} must be positive");
        return new SizeDict(height, width, null);
    }

    /// <summary>A <c>{"shortest_edge": s}</c> size.</summary>
    public static SizeDict Shortest(int shortestEdge)
    {
        if (shortestEdge < 1)
            throw new ArgumentOutOfRangeException(nameof(shortestEdge), $"shortest_edge {shortestEdge} must be positive");
        return new SizeDict(null, null, shortestEdge);
    }

    /// <summary>
    /// The (height, width) an image of <paramref name="width"/> × <paramref name="height"/> is resized to, as
    /// transformers 4.38 <c>get_resize_output_image_size</c> computes it: for shortest_edge S, the short side
    /// becomes S and the long side int(S · long / short) (Python true division, then truncation).
    /// </summary>
    public (int Height, int Width) ResizeTarget(int width, int height)
    {
        if (IsExact) return (Height!.Value, Width!.Value);
        int s = ShortestEdge!.Value;
        // S·long and short are small integers, exact in double, so this division is Python's correctly rounded one.
        return width <= height
            ? ((int)((double)((long)s * height) / width), s)
            : (s, (int)((double)((long)s * width) / height));
    }

    /// <inheritdoc/>
    public override string ToString() =>
        IsExact ? $"{{\"height\": {Height}, \"width\": {Width}}}" : $"{{\"shortest_edge\": {ShortestEdge}}}";
}
