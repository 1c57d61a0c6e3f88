namespace HipVision.Models;

/// <summary>The ImageNet-1k class names exactly as the Hugging Face hub configs spell them (id2label).</summary>
public static class ImageNetLabels
{
    static readonly Lazy<string[]> Names = new(() =>
    {
        using var stream = typeof(ImageNetLabels).Assembly.GetManifestResourceStream("HipVision.Models.imagenet1k_labels.txt")
            ?? throw new InvalidOperationException("embedded ImageNet label list missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    });

    /// <summary>The 1000 classes, index = class id.</summary>
    public static IReadOnlyList<string> Classes1k => Names.Value;
}
