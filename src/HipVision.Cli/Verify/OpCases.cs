using HipVision.Graph;
using static HipVision.Cli.Verify.OpCase;

namespace HipVision.Cli.Verify;

/// <summary>
/// The ops `hipvision verify` checks, with the shapes of all four families: ViT/BEiT at 197 tokens × 768 with 12 heads
/// (base models, 224×224, patch 16), MobileNetV1 1.0-224 and EfficientNet-B0 layers. Inputs are uniform in [−1, 1) (scales
/// and variances positive), from a seed fixed per case, so a run is reproducible.
/// </summary>
static class OpCases
{
    const int T = 197, D = 768, Heads = 12, Mlp = 3072;

    public static IReadOnlyList<OpCase> All { get; } =
    [
        // ViT and BEiT (transformers' ViTForImageClassification / BeitForImageClassification, base size)
        new("ViT/BEiT", "patch_embedding", "[1,3,224,224] P16 -> [1,196,768]", GemmAtol, GemmRtol, r => One(r, [1, 3, 224, 224], (g, x) =>
            g.PatchEmbedding(x, W(g, r, D, 3, 16, 16), W(g, r, D)))),
        new("ViT/BEiT", "prepend_cls_token", "[1,196,768] -> [1,197,768]", 0, 0, r => One(r, [1, T - 1, D], (g, x) =>
            g.Concat(1, g.Expand(W(g, r, 1, 1, D), 1, 1, D), x))),
        new("ViT/BEiT", "add_position_embeddings", "[1,197,768] + [1,197,768]", ElementAtol, ElementRtol, r => One(r, [1, T, D], (g, x) =>
            g.Add(x, W(g, r, 1, T, D)))),
        new("ViT/BEiT", "layer_norm", "[1,197,768] eps 1e-12", ReduceAtol, ReduceRtol, r => One(r, [1, T, D], (g, x) =>
            g.LayerNorm(x, Positive(g, r, D), W(g, r, D), 1e-12))),
        new("ViT/BEiT", "linear_qkv", "[197,768] -> [197,2304]", GemmAtol, GemmRtol, r => One(r, [1, T, D], (g, x) =>
            g.Linear(x, W(g, r, 3 * D, D), W(g, r, 3 * D)))),
        new("ViT/BEiT", "attention", "[1,197,2304] 12 heads", GemmAtol, GemmRtol, r => One(r, [1, T, 3 * D], (g, x) =>
            g.Attention(x, Heads))),
        new("ViT/BEiT", "attention_relative_bias", "[1,197,2304] 12 heads + [12,197,197]", GemmAtol, GemmRtol, r => One(r, [1, T, 3 * D], (g, x) =>
            g.Attention(x, Heads, W(g, r, Heads, T, T)))),
        new("ViT/BEiT", "linear_gelu", "[197,768] -> [197,3072], GELU", GemmAtol, GemmRtol, r => One(r, [1, T, D], (g, x) =>
            g.Gelu(g.Linear(x, W(g, r, Mlp, D), W(g, r, Mlp))))),
        new("ViT/BEiT", "linear_output", "[197,3072] -> [197,768]", GemmAtol, GemmRtol, r => One(r, [1, T, Mlp], (g, x) =>
            g.Linear(x, W(g, r, D, Mlp), W(g, r, D)))),
        new("ViT/BEiT", "gelu", "[197,3072]", ElementAtol, ElementRtol, r => One(r, [1, T, Mlp], (g, x) => g.Gelu(x))),
        new("ViT/BEiT", "residual_add", "[1,197,768] + [1,197,768]", ElementAtol, ElementRtol, r => One(r, [1, T, D], (g, x) =>
            g.Add(x, g.Gelu(x)))),
        new("ViT/BEiT", "layer_scale_residual", "[1,197,768]·λ[768] + [1,197,768]", ElementAtol, ElementRtol, r => One(r, [1, T, D], (g, x) =>
            g.Add(g.Mul(x, W(g, r, D)), x))),
        new("ViT/BEiT", "softmax", "[12,197,197]", ElementAtol, ReduceRtol, r => One(r, [Heads, T, T], (g, x) => g.Softmax(x))),
        new("ViT/BEiT", "cls_token_slice", "[2,197,768] -> [2,768]", 0, 0, r => One(r, [2, T, D], (g, x) =>
            g.Reshape(g.Slice(x, 1, 0, 1), 2, D))),
        new("ViT/BEiT", "mean_patch_tokens", "[2,197,768] tokens 1.. -> [2,768]", ReduceAtol, ReduceRtol, r => One(r, [2, T, D], (g, x) =>
            g.ReduceMean(g.Slice(x, 1, 1, T), 1))),
        new("ViT/BEiT", "classifier", "[2,768] -> [2,1000]", GemmAtol, GemmRtol, r => One(r, [2, D], (g, x) =>
            g.Linear(x, W(g, r, 1000, D), W(g, r, 1000)))),

        // MobileNetV1 1.0-224 (TF "SAME" padding, BatchNorm, ReLU6)
        new("MobileNetV1", "conv2d_stem", "[1,3,224,224] 3x3 s2 SAME -> 32", GemmAtol, GemmRtol, r => One(r, [1, 3, 224, 224], (g, x) =>
            g.Conv2d(x, W(g, r, 32, 3, 3, 3), null, 2, GraphBuilder.SamePadding(x, 3, 2)))),
        new("MobileNetV1", "depthwise_conv2d", "[1,32,112,112] 3x3", GemmAtol, GemmRtol, r => One(r, [1, 32, 112, 112], (g, x) =>
            g.Conv2d(x, W(g, r, 32, 1, 3, 3), null, 1, GraphBuilder.SamePadding(x, 3, 1), groups: 32))),
        new("MobileNetV1", "pointwise_conv2d", "[1,32,112,112] 1x1 -> 64", GemmAtol, GemmRtol, r => One(r, [1, 32, 112, 112], (g, x) =>
            g.Conv2d(x, W(g, r, 64, 32, 1, 1), null))),
        new("MobileNetV1", "batch_norm", "[1,32,112,112] eps 1e-3", ElementAtol, ReduceRtol, r => One(r, [1, 32, 112, 112], (g, x) =>
            g.BatchNorm(x, Positive(g, r, 32), W(g, r, 32), W(g, r, 32), Positive(g, r, 32), 1e-3))),
        new("MobileNetV1", "relu6", "[1,32,112,112]·8", 0, 0, r => One(r, [1, 32, 112, 112], (g, x) =>
            g.Relu6(g.Mul(x, g.Constant("scale", [1], [8f]))))),
        new("MobileNetV1", "global_avg_pool", "[1,1024,7,7] -> [1,1024]", ReduceAtol, ReduceRtol, r => One(r, [1, 1024, 7, 7], (g, x) => g.GlobalAvgPool(x))),

        // EfficientNet-B0 (MBConv: depthwise 5x5, squeeze-excite, SiLU)
        new("EfficientNet", "depthwise_conv2d_5x5", "[1,240,28,28] 5x5 s2 SAME", GemmAtol, GemmRtol, r => One(r, [1, 240, 28, 28], (g, x) =>
            g.Conv2d(x, W(g, r, 240, 1, 5, 5), null, 2, GraphBuilder.SamePadding(x, 5, 2), groups: 240))),
        new("EfficientNet", "squeeze_excite", "[1,240,28,28] -> 10 -> 240, SiLU", GemmAtol, GemmRtol, r => One(r, [1, 240, 28, 28], (g, x) =>
            g.SqueezeExcite(x, W(g, r, 10, 240, 1, 1), W(g, r, 10), W(g, r, 240, 10, 1, 1), W(g, r, 240)))),
        new("EfficientNet", "silu", "[1,32,112,112]", ElementAtol, ElementRtol, r => One(r, [1, 32, 112, 112], (g, x) => g.Silu(x))),
        new("EfficientNet", "sigmoid", "[1,32,112,112]", ElementAtol, ElementRtol, r => One(r, [1, 32, 112, 112], (g, x) => g.Sigmoid(x))),
        new("EfficientNet", "global_avg_pool", "[1,1280,7,7] -> [1,1280]", ReduceAtol, ReduceRtol, r => One(r, [1, 1280, 7, 7], (g, x) => g.GlobalAvgPool(x))),
    ];

    static (ModelGraph, float[]) One(Random r, int[] shape, Func<GraphBuilder, Node, Node> op)
    {
        var g = new GraphBuilder();
        var input = Uniform(r, ShapeMath.Count(shape), -1, 1);
        g.Output("y", op(g, g.Input("x", shape)));
        return (g.Build(), input);
    }

    /// <summary>A constant uniform in [−1, 1).</summary>
    static Node W(GraphBuilder g, Random r, params int[] shape) => g.Constant("w", shape, Uniform(r, ShapeMath.Count(shape), -1, 1));

    /// <summary>A constant uniform in [0.5, 1.5) (scales, variances).</summary>
    static Node Positive(GraphBuilder g, Random r, params int[] shape) => g.Constant("p", shape, Uniform(r, ShapeMath.Count(shape), 0.5, 1.5));

    static float[] Uniform(Random r, long count, double lo, double hi)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++) values[i] = (float)(lo + (hi - lo) * r.NextDouble());
        return values;
    }
}
