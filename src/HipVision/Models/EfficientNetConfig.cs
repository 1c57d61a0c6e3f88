using System.Text.Json;
using HipVision.Graph;
using HipVision.Weights;

namespace HipVision.Models;

/// <summary>
/// Hugging Face <c>EfficientNetConfig</c> (model_type "efficientnet") with HF's defaults (those are B7's), the
/// scaling rules of <c>modeling_efficientnet.py</c> (<see cref="RoundFilters"/>, <see cref="RoundRepeats"/>,
/// <see cref="Blocks"/>, <see cref="DepthwisePaddingOf"/>) and the B0…B7 presets of the HF conversion script.
/// </summary>
public sealed record EfficientNetConfig : ModelConfig
{
    /// <inheritdoc/>
    public override string ModelType => "efficientnet";

    /// <summary>num_channels.</summary>
    public int NumChannels { get; init; } = 3;
    /// <summary>image_size (square).</summary>
    public int ImageSize { get; init; } = 600;
    /// <summary>width_coefficient: channel scaling, applied by <see cref="RoundFilters"/>.</summary>
    public double WidthCoefficient { get; init; } = 2.0;
    /// <summary>depth_coefficient: block-repeat scaling, applied by <see cref="RoundRepeats"/>.</summary>
    public double DepthCoefficient { get; init; } = 3.1;
    /// <summary>depth_divisor: channel counts are rounded to multiples of it.</summary>
    public int DepthDivisor { get; init; } = 8;
    /// <summary>kernel_sizes, per stage (depthwise kernel).</summary>
    public IReadOnlyList<int> KernelSizes { get; init; } = [3, 3, 5, 3, 5, 5, 3];
    /// <summary>in_channels, per stage, before <see cref="RoundFilters"/>.</summary>
    public IReadOnlyList<int> InChannels { get; init; } = [32, 16, 24, 40, 80, 112, 192];
    /// <summary>out_channels, per stage, before <see cref="RoundFilters"/>.</summary>
    public IReadOnlyList<int> OutChannels { get; init; } = [16, 24, 40, 80, 112, 192, 320];
    /// <summary>depthwise_padding: block indices whose stride-2 depthwise conv pads k//2 on every side instead of (k//2−1, k//2).</summary>
    public IReadOnlyList<int> DepthwisePadding { get; init; } = [];
    /// <summary>strides, per stage (first block of the stage only).</summary>
    public IReadOnlyList<int> Strides { get; init; } = [1, 2, 2, 2, 1, 2, 1];
    /// <summary>num_block_repeats, per stage, before <see cref="RoundRepeats"/>.</summary>
    public IReadOnlyList<int> NumBlockRepeats { get; init; } = [1, 2, 2, 3, 3, 4, 1];
    /// <summary>expand_ratios, per stage (1 = no expansion layer).</summary>
    public IReadOnlyList<int> ExpandRatios { get; init; } = [1, 6, 6, 6, 6, 6, 6];
    /// <summary>squeeze_expansion_ratio: SE width = max(1, int(block input dim · ratio)).</summary>
    public double SqueezeExpansionRatio { get; init; } = 0.25;
    /// <summary>hidden_act; "swish" (= "silu") only.</summary>
    public string HiddenAct { get; init; } = "swish";
    /// <summary>hidden_dim: width of top_conv/top_bn and the classifier input; must equal RoundFilters(1280).</summary>
    public int HiddenDim { get; init; } = 2560;
    /// <summary>pooling_type; "mean" only.</summary>
    public string PoolingType { get; init; } = "mean";
    /// <summary>batch_norm_eps.</summary>
    public double BatchNormEps { get; init; } = 1e-3;
    /// <summary>batch_norm_momentum (training only; kept for the round trip).</summary>
    public double BatchNormMomentum { get; init; } = 0.99;
    /// <summary>dropout_rate (training only).</summary>
    public double DropoutRate { get; init; } = 0.5;
    /// <summary>drop_connect_rate (training only).</summary>
    public double DropConnectRate { get; init; } = 0.2;
    /// <summary>initializer_range (training only).</summary>
    public double InitializerRange { get; init; } = 0.02;

    /// <summary>One row of the B0…B7 table (HF convert_efficientnet_to_pytorch.py CONFIG_MAP; all else is HF's default).</summary>
    /// <param name="Name">"b0" … "b7".</param>
    /// <param name="Width">width_coefficient.</param>
    /// <param name="Depth">depth_coefficient.</param>
    /// <param name="Resolution">image_size.</param>
    /// <param name="Dropout">dropout_rate.</param>
    /// <param name="HiddenDim">hidden_dim (= round_filters(1280) at that width).</param>
    /// <param name="DepthwisePadding">depthwise_padding: the stride-2 blocks whose input is odd at that resolution.</param>
    public sealed record Variant(string Name, double Width, double Depth, int Resolution, double Dropout, int HiddenDim, int[] DepthwisePadding);

    /// <summary>B0…B7 as HF converted them (the hub configs google/efficientnet-bN).</summary>
    public static IReadOnlyList<Variant> Variants { get; } =
    [
        new("b0", 1.0, 1.0, 224, 0.2, 1280, []),
        new("b1", 1.0, 1.1, 240, 0.2, 1280, [16]),
        new("b2", 1.1, 1.2, 260, 0.3, 1408, [5, 8, 16]),
        new("b3", 1.2, 1.4, 300, 0.3, 1536, [5, 18]),
        new("b4", 1.4, 1.8, 380, 0.4, 1792, [6]),
        new("b5", 1.6, 2.2, 456, 0.4, 2048, [13, 27]),
        new("b6", 1.8, 2.6, 528, 0.5, 2304, [31]),
        new("b7", 2.0, 3.1, 600, 0.5, 2560, [18]),
    ];

    /// <summary>The config of one <see cref="Variants"/> row, with ImageNet-1k labels.</summary>
    public static EfficientNetConfig FromVariant(Variant v) => new()
    {
        WidthCoefficient = v.Width,
        DepthCoefficient = v.Depth,
        ImageSize = v.Resolution,
        DropoutRate = v.Dropout,
        HiddenDim = v.HiddenDim,
        DepthwisePadding = [.. v.DepthwisePadding],
        Labels = ImageNetLabels.Classes1k,
    };

    /// <summary>google/efficientnet-b0.</summary>
    public static EfficientNetConfig B0 => FromVariant(Variants[0]);
    /// <summary>google/efficientnet-b1.</summary>
    public static EfficientNetConfig B1 => FromVariant(Variants[1]);
    /// <summary>google/efficientnet-b2.</summary>
    public static EfficientNetConfig B2 => FromVariant(Variants[2]);
    /// <summary>google/efficientnet-b3.</summary>
    public static EfficientNetConfig B3 => FromVariant(Variants[3]);
    /// <summary>google/efficientnet-b4.</summary>
    public static EfficientNetConfig B4 => FromVariant(Variants[4]);
    /// <summary>google/efficientnet-b5.</summary>
    public static EfficientNetConfig B5 => FromVariant(Variants[5]);
    /// <summary>google/efficientnet-b6.</summary>
    public static EfficientNetConfig B6 => FromVariant(Variants[6]);
    /// <summary>google/efficientnet-b7.</summary>
    public static EfficientNetConfig B7 => FromVariant(Variants[7]);

    /// <inheritdoc/>
    public override (int Channels, int Height, int Width) InputSize => (NumChannels, ImageSize, ImageSize);

    /// <summary>
    /// HF round_filters: c·width rounded to the nearest multiple of depth_divisor (halves up, at least the
    /// divisor), plus one divisor when that rounded down by more than 10 %.
    /// </summary>
    public int RoundFilters(int channels)
    {
        double scaled = channels * WidthCoefficient;
        int rounded = Math.Max(DepthDivisor, (int)(scaled + DepthDivisor / 2.0) / DepthDivisor * DepthDivisor);
        if (rounded < 0.9 * scaled) rounded += DepthDivisor;
        return rounded;
    }

    /// <summary>HF round_repeats: ceil(depth_coefficient · repeats).</summary>
    public int RoundRepeats(int repeats) => (int)Math.Ceiling(DepthCoefficient * repeats);

    /// <summary>
    /// Padding of a block's depthwise conv. Stride 2: HF's ZeroPad2d(correct_pad(k, adjust)) then a "valid" conv:
    /// (k//2−1) top/left and k//2 bottom/right, or k//2 everywhere for blocks listed in depthwise_padding
    /// (adjust = false). Stride 1: torch padding="same": k−1 in total, the smaller half top/left.
    /// </summary>
    public static Padding2d DepthwisePaddingOf(int kernel, int stride, bool adjust)
    {
        if (stride == 1) return new Padding2d((kernel - 1) / 2, kernel - 1 - (kernel - 1) / 2, (kernel - 1) / 2, kernel - 1 - (kernel - 1) / 2);
        int k = kernel / 2;
        return adjust ? new Padding2d(k - 1, k, k - 1, k) : Padding2d.Symmetric(k);
    }

    /// <summary>The stem's ZeroPad2d((0, 1, 0, 1)) before its "valid" 3×3 stride-2 conv.</summary>
    public static Padding2d StemPadding => new(0, 1, 0, 1);

    /// <summary>One encoder block as HF's EfficientNetEncoder enumerates them.</summary>
    /// <param name="Index">Position in encoder.blocks.</param>
    /// <param name="Stage">Index into the per-stage lists.</param>
    /// <param name="InDim">Input channels.</param>
    /// <param name="OutDim">Output channels.</param>
    /// <param name="ExpandDim">Channels of the depthwise conv and SE (InDim·expand_ratio, or InDim without expansion).</param>
    /// <param name="SeDim">Squeeze-excite width, max(1, int(InDim·squeeze_expansion_ratio)) from the block's input.</param>
    /// <param name="Stride">Depthwise stride (the stage's stride for its first block, 1 after).</param>
    /// <param name="Kernel">Depthwise kernel size.</param>
    /// <param name="Expand">Whether the block has an expansion layer (expand_ratio ≠ 1).</param>
    /// <param name="Residual">HF's apply_dropout (stride 1 and not id_skip): every block but a stage's first adds its input.</param>
    /// <param name="Padding">Depthwise padding, see <see cref="DepthwisePaddingOf"/>.</param>
    public sealed record Block(int Index, int Stage, int InDim, int OutDim, int ExpandDim, int SeDim, int Stride, int Kernel, bool Expand, bool Residual, Padding2d Padding);

    /// <summary>Every block in encoder order.</summary>
    public IReadOnlyList<Block> Blocks
    {
        get
        {
            var blocks = new List<Block>();
            for (int s = 0; s < InChannels.Count; s++)
            {
                int stageIn = RoundFilters(InChannels[s]), outDim = RoundFilters(OutChannels[s]);
                for (int j = 0; j < RoundRepeats(NumBlockRepeats[s]); j++)
                {
                    int index = blocks.Count, inDim = j == 0 ? stageIn : outDim, stride = j == 0 ? Strides[s] : 1;
                    bool expand = ExpandRatios[s] != 1, adjust = !DepthwisePadding.Contains(index);
                    blocks.Add(new Block(index, s, inDim, outDim, expand ? inDim * ExpandRatios[s] : inDim,
                        Math.Max(1, (int)(inDim * SqueezeExpansionRatio)), stride, KernelSizes[s], expand,
                        Residual: stride == 1 && j > 0, DepthwisePaddingOf(KernelSizes[s], stride, adjust)));
                }
            }
            return blocks;
        }
    }

    /// <summary>Channels of the last block's output (top_conv's input).</summary>
    public int LastBlockDim => RoundFilters(OutChannels[^1]);

    /// <inheritdoc/>
    public override string DefaultPreprocessorJson =>
        $$$"""{"crop_size": {"height": 289, "width": 289}, "do_center_crop": false, "do_normalize": true, "do_rescale": true, "do_resize": true, "image_mean": [0.485, 0.456, 0.406], "image_processor_type": "EfficientNetImageProcessor", "image_std": [0.47853944, 0.4732864, 0.47434163], "include_top": true, "resample": 0, "rescale_factor": 0.00392156862745098, "rescale_offset": false, "size": {"height": {{{ImageSize}}}, "width": {{{ImageSize}}}}}""";

    /// <summary>Reads the fields from a parsed config.json and validates them.</summary>
    public static EfficientNetConfig FromJson(JsonConfigReader json)
    {
        var d = new EfficientNetConfig();
        var c = new EfficientNetConfig
        {
            NumChannels = json.Int("num_channels", d.NumChannels),
            ImageSize = json.Int("image_size", d.ImageSize),
            WidthCoefficient = json.Double("width_coefficient", d.WidthCoefficient),
            DepthCoefficient = json.Double("depth_coefficient", d.DepthCoefficient),
            DepthDivisor = json.Int("depth_divisor", d.DepthDivisor),
            KernelSizes = json.IntArray("kernel_sizes", [.. d.KernelSizes]),
            InChannels = json.IntArray("in_channels", [.. d.InChannels]),
            OutChannels = json.IntArray("out_channels", [.. d.OutChannels]),
            DepthwisePadding = json.IntArray("depthwise_padding", []),
            Strides = json.IntArray("strides", [.. d.Strides]),
            NumBlockRepeats = json.IntArray("num_block_repeats", [.. d.NumBlockRepeats]),
            ExpandRatios = json.IntArray("expand_ratios", [.. d.ExpandRatios]),
            SqueezeExpansionRatio = json.Double("squeeze_expansion_ratio", d.SqueezeExpansionRatio),
            HiddenAct = json.String("hidden_act", d.HiddenAct),
            HiddenDim = json.Int("hidden_dim", d.HiddenDim),
            PoolingType = json.String("pooling_type", d.PoolingType),
            BatchNormEps = json.Double("batch_norm_eps", d.BatchNormEps),
            BatchNormMomentum = json.Double("batch_norm_momentum", d.BatchNormMomentum),
            DropoutRate = json.Double("dropout_rate", d.DropoutRate),
            DropConnectRate = json.Double("drop_connect_rate", d.DropConnectRate),
            InitializerRange = json.Double("initializer_range", d.InitializerRange),
            Labels = ReadLabels(json, 2),
        };
        c.Validate(json.Source);
        return c;
    }

    /// <summary>Throws a one-line <see cref="HipVisionException"/> naming <paramref name="source"/> for a config HF could not run.</summary>
    public void Validate(string source)
    {
        void Fail(string message) => throw new HipVisionException($"{source}: {message}");
        if (HiddenAct is not ("swish" or "silu")) Fail($"hidden_act '{HiddenAct}' is not supported (supported: swish, silu)");
        if (PoolingType != "mean") Fail($"pooling_type '{PoolingType}' is not supported (supported: mean)");
        int stages = InChannels.Count;
        if (stages == 0) Fail("in_channels is empty: the model needs at least one stage");
        foreach (var (name, list) in new[] { ("out_channels", OutChannels), ("kernel_sizes", KernelSizes), ("strides", Strides), ("num_block_repeats", NumBlockRepeats), ("expand_ratios", ExpandRatios) })
            if (list.Count != stages) Fail($"{name} has {list.Count} entries, in_channels has {stages}: one per stage");
        if (!(WidthCoefficient > 0) || !(DepthCoefficient > 0) || DepthDivisor < 1 || !(SqueezeExpansionRatio > 0) || NumChannels < 1 || !(BatchNormEps >= 0))
            Fail($"width_coefficient {WidthCoefficient}, depth_coefficient {DepthCoefficient}, depth_divisor {DepthDivisor}, squeeze_expansion_ratio {SqueezeExpansionRatio}, num_channels {NumChannels}, batch_norm_eps {BatchNormEps}: must be positive");
        // Bounds before anything is derived: round_filters and round_repeats of hostile coefficients would overflow
        // (or, with .NET's saturating casts, ask for 2^31 blocks) long before a weight is read.
        if (stages > 64) Fail($"in_channels has {stages} stages, more than 64");
        if (WidthCoefficient > 64 || DepthCoefficient > 64 || DepthDivisor > 1024 || NumChannels > MaxChannels || ImageSize > MaxImageSize)
            Fail($"width_coefficient {WidthCoefficient}, depth_coefficient {DepthCoefficient}, depth_divisor {DepthDivisor}, num_channels {NumChannels}, image_size {ImageSize}: above the limits 64, 64, 1024, {MaxChannels}, {MaxImageSize}");
        double blocks = 0;
        for (int s = 0; s < stages; s++)
        {
            if (InChannels[s] > MaxChannels || OutChannels[s] > MaxChannels || ExpandRatios[s] > 64 || KernelSizes[s] > 64 || NumBlockRepeats[s] > 1024)
                Fail($"stage {s}: in_channels {InChannels[s]}, out_channels {OutChannels[s]}, expand_ratios {ExpandRatios[s]}, kernel_sizes {KernelSizes[s]}, num_block_repeats {NumBlockRepeats[s]}: above the limits {MaxChannels}, {MaxChannels}, 64, 64, 1024");
            blocks += Math.Ceiling(DepthCoefficient * Math.Max(NumBlockRepeats[s], 0));
        }
        if (blocks > 4096) Fail($"depth_coefficient {DepthCoefficient} and num_block_repeats make {blocks} blocks, more than 4096");
        for (int s = 0; s < stages; s++)
        {
            if ((long)RoundFilters(Math.Max(InChannels[s], OutChannels[s])) * ExpandRatios[s] > 4 * MaxChannels)
                Fail($"stage {s}: width_coefficient {WidthCoefficient} and expand_ratios {ExpandRatios[s]} make a layer wider than {4 * MaxChannels} channels");
            if (InChannels[s] < 1 || OutChannels[s] < 1 || ExpandRatios[s] < 1 || NumBlockRepeats[s] < 1 || KernelSizes[s] < 1)
                Fail($"stage {s}: in_channels {InChannels[s]}, out_channels {OutChannels[s]}, expand_ratios {ExpandRatios[s]}, num_block_repeats {NumBlockRepeats[s]}, kernel_sizes {KernelSizes[s]}: must be at least 1");
            if (Strides[s] is not (1 or 2)) Fail($"stage {s}: stride {Strides[s]} is not supported (HF's depthwise layer handles 1 and 2)");
            if (Strides[s] == 2 && KernelSizes[s] < 2) Fail($"stage {s}: a stride-2 stage needs kernel_sizes ≥ 2 (correct_pad pads k//2−1), got {KernelSizes[s]}");
        }
        foreach (var b in Blocks)
        {
            CheckTensorSize(source, $"block {b.Index}'s expansion weight", (double)b.InDim * b.ExpandDim);
            CheckTensorSize(source, $"block {b.Index}'s projection weight", (double)b.ExpandDim * b.OutDim);
            CheckTensorSize(source, $"block {b.Index}'s depthwise weight", (double)b.ExpandDim * b.Kernel * b.Kernel);
        }
        CheckTensorSize(source, "top_conv (hidden_dim × last block width)", (double)HiddenDim * LastBlockDim);
        CheckTensorSize(source, "the classifier (num_labels × hidden_dim)", (double)NumLabels * HiddenDim);
        if (HiddenDim != RoundFilters(1280))
            Fail($"hidden_dim {HiddenDim} does not equal round_filters(1280) = {RoundFilters(1280)} (HF's top_conv has that many outputs, top_bn and the classifier hidden_dim)");
        var (h, w) = FinalMapSize(source);
        if (h > HiddenDim || w > HiddenDim)
            Fail($"the final feature map {h}×{w} is larger than the pooler's AvgPool2d kernel hidden_dim {HiddenDim}: HF's pooler would not give one value per channel");
    }

    /// <summary>Spatial size after the last block, following every padding and stride; a too-small image_size is an error.</summary>
    public (int Height, int Width) FinalMapSize(string source = "config")
    {
        if (ImageSize < 2) throw new HipVisionException($"{source}: image_size {ImageSize} is too small for the stem's 3×3 stride-2 conv");
        int size = (ImageSize + 1 - 3) / 2 + 1;
        foreach (var b in Blocks)
        {
            int span = size + b.Padding.Top + b.Padding.Bottom - b.Kernel;
            if (span < 0) throw new HipVisionException($"{source}: image_size {ImageSize} is too small: block {b.Index}'s {b.Kernel}×{b.Kernel} depthwise kernel is larger than its padded {size}×{size} input");
            size = span / b.Stride + 1;
        }
        return (size, size);
    }

    /// <inheritdoc/>
    public override ModelGraph BuildGraph(IWeightSource weights, int batch, bool hiddenStates = false) =>
        EfficientNet.Build(this, weights, batch, hiddenStates);

    /// <inheritdoc/>
    public override void WriteJson(Utf8JsonWriter json)
    {
        static void Ints(Utf8JsonWriter json, string name, IReadOnlyList<int> values)
        {
            json.WriteStartArray(name);
            foreach (int v in values) json.WriteNumberValue(v);
            json.WriteEndArray();
        }
        json.WriteStartObject();
        json.WriteStartArray("architectures");
        json.WriteStringValue("EfficientNetForImageClassification");
        json.WriteEndArray();
        json.WriteNumber("batch_norm_eps", BatchNormEps);
        json.WriteNumber("batch_norm_momentum", BatchNormMomentum);
        json.WriteNumber("depth_coefficient", DepthCoefficient);
        json.WriteNumber("depth_divisor", DepthDivisor);
        Ints(json, "depthwise_padding", DepthwisePadding);
        json.WriteNumber("drop_connect_rate", DropConnectRate);
        json.WriteNumber("dropout_rate", DropoutRate);
        Ints(json, "expand_ratios", ExpandRatios);
        json.WriteString("hidden_act", HiddenAct);
        json.WriteNumber("hidden_dim", HiddenDim);
        WriteLabels(json);
        json.WriteNumber("image_size", ImageSize);
        Ints(json, "in_channels", InChannels);
        json.WriteNumber("initializer_range", InitializerRange);
        Ints(json, "kernel_sizes", KernelSizes);
        json.WriteString("model_type", ModelType);
        Ints(json, "num_block_repeats", NumBlockRepeats);
        json.WriteNumber("num_channels", NumChannels);
        json.WriteNumber("num_hidden_layers", NumBlockRepeats.Sum() * 4);
        Ints(json, "out_channels", OutChannels);
        json.WriteString("pooling_type", PoolingType);
        json.WriteNumber("squeeze_expansion_ratio", SqueezeExpansionRatio);
        Ints(json, "strides", Strides);
        json.WriteString("torch_dtype", "float32");
        json.WriteNumber("width_coefficient", WidthCoefficient);
        json.WriteEndObject();
    }
}
