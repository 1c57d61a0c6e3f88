using System.Text.Json;
using System.Text.RegularExpressions;

namespace HipVision.Models.Inspection;

/// <summary>
/// EfficientNet (Tan and Le 2019): B1…B7 are B0 scaled in depth (repeats × d, rounded up), width (channels × w,
/// rounded to depth_divisor) and resolution (r = image_size/224), which grows MACs by about d·w²·r². Coefficients
/// come from config.json (width_coefficient, depth_coefficient, image_size, num_block_repeats, in/out_channels);
/// B0 is the same config with coefficients 1, image_size 224 and hidden_dim ÷ w, inspected like the model.
/// Stage MACs group the graph's layers by "blocks.K" in the HF names.
/// </summary>
public sealed class EfficientNetLesson : ModelLesson
{
    /// <summary>One stage of the B0 table, in B0 and in this variant.</summary>
    /// <param name="Number">1-based.</param>
    /// <param name="Kernel">Depthwise kernel size.</param>
    /// <param name="Stride">First block's stride.</param>
    /// <param name="ExpandRatio">MBConv expansion.</param>
    /// <param name="RepeatsB0">Blocks in B0.</param>
    /// <param name="Repeats">Blocks here: ⌈d·repeats⌉.</param>
    /// <param name="InB0">Input channels in B0.</param>
    /// <param name="OutB0">Output channels in B0.</param>
    /// <param name="In">Input channels here.</param>
    /// <param name="Out">Output channels here.</param>
    /// <param name="MacsB0">Stage MACs in B0.</param>
    /// <param name="Macs">Stage MACs here.</param>
    public sealed record Stage(int Number, int Kernel, int Stride, int ExpandRatio, int RepeatsB0, int Repeats, int InB0, int OutB0, int In, int Out, long MacsB0, long Macs);

    EfficientNetLesson(double width, double depth, int size, long parameters, long macs, long parametersB0, long macsB0, IReadOnlyList<Stage> stages)
    {
        WidthCoefficient = width;
        DepthCoefficient = depth;
        ImageSize = size;
        Parameters = parameters;
        Macs = macs;
        ParametersB0 = parametersB0;
        MacsB0 = macsB0;
        Stages = stages;
    }

    /// <summary>B0's input side; r = ImageSize / 224.</summary>
    public const int B0ImageSize = 224;

    /// <summary>w.</summary>
    public double WidthCoefficient { get; }
    /// <summary>d.</summary>
    public double DepthCoefficient { get; }
    /// <summary>Input side.</summary>
    public int ImageSize { get; }
    /// <summary>r = image_size / 224.</summary>
    public double Resolution => ImageSize / (double)B0ImageSize;
    /// <summary>This variant's parameters.</summary>
    public long Parameters { get; }
    /// <summary>This variant's MACs.</summary>
    public long Macs { get; }
    /// <summary>B0's parameters.</summary>
    public long ParametersB0 { get; }
    /// <summary>B0's MACs.</summary>
    public long MacsB0 { get; }
    /// <summary>The seven stages.</summary>
    public IReadOnlyList<Stage> Stages { get; }

    /// <summary>The lesson for an EfficientNet inspection.</summary>
    public static EfficientNetLesson? Create(ModelConfig config, ModelInspection inspection)
    {
        var json = ConfigJson.Read(config);
        double w = ConfigJson.Double(json, "width_coefficient", 1.0), d = ConfigJson.Double(json, "depth_coefficient", 1.0);
        int size = ConfigJson.Int(json, "image_size", config.InputSize.Height), divisor = ConfigJson.Int(json, "depth_divisor", 8);
        int[] repeats = ConfigJson.IntArray(json, "num_block_repeats"), ins = ConfigJson.IntArray(json, "in_channels"), outs = ConfigJson.IntArray(json, "out_channels");
        int[] kernels = ConfigJson.IntArray(json, "kernel_sizes"), strides = ConfigJson.IntArray(json, "strides"), expands = ConfigJson.IntArray(json, "expand_ratios");
        int n = new[] { repeats.Length, ins.Length, outs.Length, kernels.Length, strides.Length, expands.Length }.Min();
        if (n == 0) return null;

        var b0 = w == 1.0 && d == 1.0 && size == B0ImageSize ? inspection : ModelInspector.InspectWithoutLesson(ConfigJson.Variant(config, "B0", j =>
        {
            j["width_coefficient"] = 1.0;
            j["depth_coefficient"] = 1.0;
            j["image_size"] = B0ImageSize;
            if (j.ContainsKey("hidden_dim")) j["hidden_dim"] = RoundFilters(ConfigJson.Int(j, "hidden_dim", 1280) / w, 1.0, divisor);
            if (j.ContainsKey("depthwise_padding")) j["depthwise_padding"] = new System.Text.Json.Nodes.JsonArray();
        }), inspection.Batch);

        int[] variantRepeats = repeats.Take(n).Select(r => (int)Math.Ceiling(d * r)).ToArray();
        var stageMacs = StageMacs(inspection, variantRepeats);
        var stageMacsB0 = StageMacs(b0, repeats.Take(n).ToArray());
        var stages = Enumerable.Range(0, n).Select(i => new Stage(i + 1, kernels[i], strides[i], expands[i], repeats[i], variantRepeats[i],
            RoundFilters(ins[i], 1.0, divisor), RoundFilters(outs[i], 1.0, divisor), RoundFilters(ins[i], w, divisor), RoundFilters(outs[i], w, divisor),
            stageMacsB0[i], stageMacs[i])).ToArray();
        return new EfficientNetLesson(w, d, size, inspection.Parameters, inspection.Macs, b0.Parameters, b0.Macs, stages);
    }

    /// <summary>HF's round_filters: channels·w rounded to the divisor, never below it nor more than 10% down.</summary>
    public static int RoundFilters(double channels, double width, int divisor)
    {
        double c = channels * width;
        int rounded = Math.Max(divisor, (int)(c + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * c ? rounded + divisor : rounded;
    }

    static long[] StageMacs(ModelInspection inspection, int[] repeats)
    {
        var stageOfBlock = repeats.SelectMany((r, s) => Enumerable.Repeat(s, r)).ToArray();
        var macs = new long[repeats.Length];
        foreach (var l in inspection.Layers)
        {
            var m = Regex.Match(l.Name, @"(?:^|\.)blocks\.(\d+)\.");
            if (m.Success && int.Parse(m.Groups[1].Value) is int block && block < stageOfBlock.Length) macs[stageOfBlock[block]] += l.Macs;
        }
        return macs;
    }

    /// <inheritdoc/>
    public override string Title => "EfficientNet: compound scaling of depth, width and resolution against B0";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Notes
    {
        get
        {
            double predicted = DepthCoefficient * WidthCoefficient * WidthCoefficient * Resolution * Resolution;
            return
            [
                $"Coefficients against B0: depth d = {Units.Number(DepthCoefficient)} ({Stages.Sum(s => s.RepeatsB0)} → {Stages.Sum(s => s.Repeats)} blocks), " +
                $"width w = {Units.Number(WidthCoefficient)}, resolution r = {ImageSize}/{B0ImageSize} = {Units.Number(Resolution)}.",
                $"MACs {Units.Si(MacsB0)} → {Units.Si(Macs)} ({Units.Number((double)Macs / MacsB0, "0.##")}×; d·w²·r² predicts {Units.Number(predicted, "0.##")}×); " +
                $"parameters {Units.Count(ParametersB0)} → {Units.Count(Parameters)} ({Units.Number((double)Parameters / ParametersB0, "0.##")}×; resolution adds none, d·w² predicts {Units.Number(DepthCoefficient * WidthCoefficient * WidthCoefficient, "0.##")}×).",
            ];
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<LessonTable> Tables =>
    [
        new LessonTable("Stages: B0 → this variant",
            ["stage", "kernel", "stride", "expand", "repeats", "channels in→out", "MACs"],
            [
                .. Stages.Select(s => new[]
                {
                    s.Number.ToString(), $"{s.Kernel}×{s.Kernel}", s.Stride.ToString(), s.ExpandRatio.ToString(), $"{s.RepeatsB0} → {s.Repeats}",
                    $"{s.InB0}→{s.OutB0} ⇒ {s.In}→{s.Out}", $"{Units.Si(s.MacsB0)} → {Units.Si(s.Macs)}",
                }),
                ["model", "", "", "", $"{Stages.Sum(s => s.RepeatsB0)} → {Stages.Sum(s => s.Repeats)}", "", $"{Units.Si(MacsB0)} → {Units.Si(Macs)}"],
            ]),
    ];

    /// <inheritdoc/>
    public override void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("family", "efficientnet");
        json.WriteNumber("width_coefficient", WidthCoefficient);
        json.WriteNumber("depth_coefficient", DepthCoefficient);
        json.WriteNumber("image_size", ImageSize);
        json.WriteNumber("resolution_coefficient", Resolution);
        json.WriteNumber("parameters", Parameters);
        json.WriteNumber("macs", Macs);
        json.WriteNumber("b0_parameters", ParametersB0);
        json.WriteNumber("b0_macs", MacsB0);
        json.WriteNumber("predicted_macs_ratio", DepthCoefficient * WidthCoefficient * WidthCoefficient * Resolution * Resolution);
        json.WriteStartArray("stages");
        foreach (var s in Stages)
        {
            json.WriteStartObject();
            json.WriteNumber("stage", s.Number);
            json.WriteNumber("kernel", s.Kernel);
            json.WriteNumber("stride", s.Stride);
            json.WriteNumber("expand_ratio", s.ExpandRatio);
            json.WriteNumber("b0_repeats", s.RepeatsB0);
            json.WriteNumber("repeats", s.Repeats);
            json.WriteNumber("b0_in_channels", s.InB0);
            json.WriteNumber("b0_out_channels", s.OutB0);
            json.WriteNumber("in_channels", s.In);
            json.WriteNumber("out_channels", s.Out);
            json.WriteNumber("b0_macs", s.MacsB0);
            json.WriteNumber("macs", s.Macs);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
