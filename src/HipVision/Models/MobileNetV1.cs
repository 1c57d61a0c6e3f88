using HipVision.Graph;
using HipVision.Weights;

namespace HipVision.Models;

/// <summary>
/// MobileNetV1ForImageClassification as a graph, following HF's forward: a 3×3 stride-2 stem, 13 depthwise-
/// separable layers (depthwise 3×3 then pointwise 1×1, each conv → BatchNorm → ReLU6), global average pool,
/// dropout (identity at inference) and a linear classifier. Weight names are HF's verbatim; BatchNorm stays a
/// node here and is folded into its convolution when a backend compiles the graph (or was folded when a
/// prepared file was written, <see cref="ConvBatchNorm"/>).
/// </summary>
public static class MobileNetV1
{
    /// <summary>
    /// Records the model for <paramref name="batch"/> images of <see cref="MobileNetV1Config.InputSize"/>.
    /// Hidden states, as HF returns them: the output of each of the 26 layers (not the stem), "hidden_states.0" … ".25".
    /// </summary>
    public static ModelGraph Build(MobileNetV1Config c, IWeightSource weights, int batch, bool hiddenStates = false)
    {
        var g = new GraphBuilder();
        var w = new WeightScope(g, weights);
        var net = w.Pp("mobilenet_v1");
        var widths = c.Widths();
        var x = g.Input("pixel_values", batch, c.NumChannels, c.ImageSize, c.ImageSize);

        var h = ConvLayer(g, c, net.Pp("conv_stem"), x, widths[0], kernel: 3, stride: 2, groups: 1);
        for (int i = 0; i < MobileNetV1Config.LayerStrides.Count; i++)
        {
            int inChannels = widths[i];
            h = ConvLayer(g, c, net.Pp("layer").Pp(2 * i), h, inChannels, kernel: 3, stride: MobileNetV1Config.LayerStrides[i], groups: inChannels);
            if (hiddenStates) g.Output($"hidden_states.{2 * i}", h);
            h = ConvLayer(g, c, net.Pp("layer").Pp(2 * i + 1), h, widths[i + 1], kernel: 1, stride: 1, groups: 1);
            if (hiddenStates) g.Output($"hidden_states.{2 * i + 1}", h);
        }

        var pooled = g.GlobalAvgPool(h, net.Pp("pooler").Prefix);   // AdaptiveAvgPool2d((1, 1)) then flatten
        var head = w.Pp("classifier");
        int features = widths[^1];
        g.Output("logits", g.Linear(pooled, head.Tensor("weight", c.NumLabels, features), head.Tensor("bias", c.NumLabels), head.Prefix));
        return g.Build();
    }

    /// <summary>
    /// HF's MobileNetV1ConvLayer: [TF "SAME" padding from this input's size] → Conv2d (no bias) → BatchNorm → ReLU6.
    /// Without tf_padding the conv pads (k−1)/2 on every side, as nn.Conv2d(padding=…) does.
    /// </summary>
    static Node ConvLayer(GraphBuilder g, MobileNetV1Config c, WeightScope w, Node x, int outChannels, int kernel, int stride, int groups)
    {
        int inChannels = x.Shape[1];
        var padding = c.TfPadding ? GraphBuilder.SamePadding(x, kernel, stride) : Padding2d.Symmetric((kernel - 1) / 2);
        var h = ConvBatchNorm.Build(g, w.Pp("convolution"), w.Pp("normalization"), x, outChannels, inChannels, kernel, stride, padding, groups, c.LayerNormEps);
        return g.Relu6(h, w.Prefix);
    }
}
