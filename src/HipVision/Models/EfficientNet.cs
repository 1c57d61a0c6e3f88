using HipVision.Graph;
using HipVision.Weights;

namespace HipVision.Models;

/// <summary>
/// EfficientNetForImageClassification as a graph, following HF's forward: stem (ZeroPad (0,1,0,1), 3×3/2 conv,
/// BatchNorm, swish), the MBConv blocks of <see cref="EfficientNetConfig.Blocks"/> (expansion 1×1, depthwise
/// conv, squeeze-excite, projection 1×1, residual), top 1×1 conv + BatchNorm + swish, global mean (HF's
/// AvgPool2d(hidden_dim, ceil_mode=True) on a map smaller than its kernel), linear classifier.
/// Weight names are HF's verbatim, requested in state_dict order; BatchNorms are folded into their convs by
/// the backend at compile time (<see cref="BatchNormFolding"/>, or when a prepared file was written: <see cref="ConvBatchNorm"/>),
/// nothing is re-laid out here.
/// </summary>
public static class EfficientNet
{
    /// <summary>Records the model for <paramref name="batch"/> images of <see cref="EfficientNetConfig.InputSize"/>.</summary>
    public static ModelGraph Build(EfficientNetConfig c, IWeightSource weights, int batch, bool hiddenStates = false)
    {
        var g = new GraphBuilder();
        var w = new WeightScope(g, weights);
        var x = g.Input("pixel_values", batch, c.NumChannels, c.ImageSize, c.ImageSize);

        var emb = w.Pp("efficientnet").Pp("embeddings");
        int stem = c.RoundFilters(32);
        var h = ConvBnAct(g, c, emb.Pp("convolution"), emb.Pp("batchnorm"), x, stem, c.NumChannels, 3, 2, EfficientNetConfig.StemPadding, 1, act: true);
        if (hiddenStates) g.Output("hidden_states.0", h);

        var encoder = w.Pp("efficientnet").Pp("encoder");
        foreach (var block in c.Blocks)
        {
            h = Block(g, c, block, encoder.Pp("blocks").Pp(block.Index), h);
            if (hiddenStates) g.Output($"hidden_states.{block.Index + 1}", h);
        }

        h = ConvBnAct(g, c, encoder.Pp("top_conv"), encoder.Pp("top_bn"), h, c.HiddenDim, c.LastBlockDim, 1, 1, default, 1, act: true);
        var pooled = g.GlobalAvgPool(h, "efficientnet.pooler");
        var head = w.Pp("classifier");
        g.Output("logits", g.Linear(pooled, head.Tensor("weight", c.NumLabels, c.HiddenDim), head.Tensor("bias", c.NumLabels), head.Prefix));
        return g.Build();
    }

    /// <summary>EfficientNetBlock: [expansion] → depthwise → squeeze-excite → projection (+ input when residual).</summary>
    static Node Block(GraphBuilder g, EfficientNetConfig c, EfficientNetConfig.Block b, WeightScope w, Node x)
    {
        var h = x;
        if (b.Expand)
        {
            var e = w.Pp("expansion");
            h = ConvBnAct(g, c, e.Pp("expand_conv"), e.Pp("expand_bn"), h, b.ExpandDim, b.InDim, 1, 1, default, 1, act: true);
        }
        var dw = w.Pp("depthwise_conv");
        h = ConvBnAct(g, c, dw.Pp("depthwise_conv"), dw.Pp("depthwise_norm"), h, b.ExpandDim, b.ExpandDim, b.Kernel, b.Stride, b.Padding, b.ExpandDim, act: true);

        var se = w.Pp("squeeze_excite");
        var reduce = se.Pp("reduce");
        var expand = se.Pp("expand");
        h = g.SqueezeExcite(h, reduce.Tensor("weight", b.SeDim, b.ExpandDim, 1, 1), reduce.Tensor("bias", b.SeDim),
            expand.Tensor("weight", b.ExpandDim, b.SeDim, 1, 1), expand.Tensor("bias", b.ExpandDim), OpKind.Silu, se.Prefix);

        var p = w.Pp("projection");
        h = ConvBnAct(g, c, p.Pp("project_conv"), p.Pp("project_bn"), h, b.OutDim, b.ExpandDim, 1, 1, default, 1, act: false);
        return b.Residual ? g.Add(h, x, w.Prefix) : h;
    }

    /// <summary>Bias-free Conv2d [out, in/groups, k, k], BatchNorm (config eps), optional swish.</summary>
    static Node ConvBnAct(GraphBuilder g, EfficientNetConfig c, WeightScope conv, WeightScope bn, Node x, int outDim, int inDim, int kernel, int stride, Padding2d padding, int groups, bool act)
    {
        var h = ConvBatchNorm.Build(g, conv, bn, x, outDim, inDim, kernel, stride, padding, groups, c.BatchNormEps);
        return act ? g.Silu(h) : h;
    }
}
