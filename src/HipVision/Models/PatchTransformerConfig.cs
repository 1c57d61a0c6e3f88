namespace HipVision.Models;

/// <summary>
/// The encoder fields ViTConfig and BeitConfig share (same names, same HF defaults), read and validated in
/// one place; each family adds its own fields on top.
/// </summary>
public abstract record PatchTransformerConfig : ModelConfig
{
    /// <summary>hidden_size (D).</summary>
    public int HiddenSize { get; init; } = 768;
    /// <summary>num_hidden_layers.</summary>
    public int NumHiddenLayers { get; init; } = 12;
    /// <summary>num_attention_heads.</summary>
    public int NumAttentionHeads { get; init; } = 12;
    /// <summary>intermediate_size (MLP width).</summary>
    public int IntermediateSize { get; init; } = 3072;
    /// <summary>hidden_act; only "gelu" (exact erf) is supported.</summary>
    public string HiddenAct { get; init; } = "gelu";
    /// <summary>layer_norm_eps.</summary>
    public double LayerNormEps { get; init; } = 1e-12;
    /// <summary>image_size (square).</summary>
    public int ImageSize { get; init; } = 224;
    /// <summary>patch_size.</summary>
    public int PatchSize { get; init; } = 16;
    /// <summary>num_channels.</summary>
    public int NumChannels { get; init; } = 3;

    /// <inheritdoc/>
    public override (int Channels, int Height, int Width) InputSize => (NumChannels, ImageSize, ImageSize);

    /// <summary>Patches per image.</summary>
    public int NumPatches => (ImageSize / PatchSize) * (ImageSize / PatchSize);

    /// <summary>Most patches per image accepted (a 1024-pixel image in 16-pixel patches; ViT-B/16 at 224 has 196, DINOv2 at 518 1369).</summary>
    public const int MaxPatches = 4096;

    /// <summary>Most encoder layers accepted (ViT-g has 40).</summary>
    public const int MaxLayers = 1024;

    /// <summary>A <typeparamref name="T"/> with the shared fields and labels read from config.json and validated.</summary>
    protected static T ReadEncoder<T>(JsonConfigReader json) where T : PatchTransformerConfig, new()
    {
        var c = new T
        {
            HiddenSize = json.Int("hidden_size", 768),
            NumHiddenLayers = json.Int("num_hidden_layers", 12),
            NumAttentionHeads = json.Int("num_attention_heads", 12),
            IntermediateSize = json.Int("intermediate_size", 3072),
            HiddenAct = json.String("hidden_act", "gelu"),
            LayerNormEps = json.Double("layer_norm_eps", 1e-12),
            ImageSize = json.Int("image_size", 224),
            PatchSize = json.Int("patch_size", 16),
            NumChannels = json.Int("num_channels", 3),
            Labels = ReadLabels(json, 2),
        };
        if (c.HiddenAct != "gelu")
            throw new HipVisionException($"{json.Source}: hidden_act '{c.HiddenAct}' is not supported (supported: gelu)");
        if (c.HiddenSize <= 0 || c.NumAttentionHeads <= 0 || c.HiddenSize % c.NumAttentionHeads != 0)
            throw new HipVisionException($"{json.Source}: hidden_size {c.HiddenSize} is not divisible by num_attention_heads {c.NumAttentionHeads}");
        if (c.NumHiddenLayers < 0 || c.IntermediateSize <= 0 || c.NumChannels <= 0)
            throw new HipVisionException($"{json.Source}: num_hidden_layers {c.NumHiddenLayers}, intermediate_size {c.IntermediateSize}, num_channels {c.NumChannels}: sizes must be positive (layers may be 0)");
        CheckRange(json.Source, "image_size", c.ImageSize, 1, MaxImageSize);
        CheckRange(json.Source, "hidden_size", c.HiddenSize, 1, MaxChannels);
        CheckRange(json.Source, "intermediate_size", c.IntermediateSize, 1, MaxChannels);
        CheckRange(json.Source, "num_channels", c.NumChannels, 1, MaxChannels);
        CheckRange(json.Source, "num_hidden_layers", c.NumHiddenLayers, 0, MaxLayers);
        if (c.PatchSize <= 0 || c.ImageSize < c.PatchSize)
            throw new HipVisionException($"{json.Source}: image_size {c.ImageSize} and patch_size {c.PatchSize} give no patches");
        // Tokens bound the attention scores [heads, T, T] and BEiT's [T, T] relative position index.
        if (c.NumPatches > MaxPatches)
            throw new HipVisionException($"{json.Source}: image_size {c.ImageSize} and patch_size {c.PatchSize} give {c.NumPatches} patches, more than {MaxPatches}");
        double d = c.HiddenSize;
        CheckTensorSize(json.Source, "the MLP weight (intermediate_size × hidden_size)", d * c.IntermediateSize);
        CheckTensorSize(json.Source, "the patch embedding (hidden_size × num_channels × patch_size²)", d * c.NumChannels * c.PatchSize * c.PatchSize);
        CheckTensorSize(json.Source, "the classifier (num_labels × hidden_size)", d * c.NumLabels);
        CheckTensorSize(json.Source, "an attention weight (hidden_size²)", d * d);
        CheckTensorSize(json.Source, "the position embeddings ((patches + 1) × hidden_size)", d * (c.NumPatches + 1.0));
        double window = 2.0 * c.ImageSize / c.PatchSize - 1;
        CheckTensorSize(json.Source, "a relative position bias table (window offsets × num_attention_heads)", (window * window + 3) * c.NumAttentionHeads);
        return c;
    }
}
