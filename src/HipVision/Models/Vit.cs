using HipVision.Graph;
using HipVision.Weights;

namespace HipVision.Models;

/// <summary>
/// ViTForImageClassification as a graph, following HF's forward: patch embedding, [CLS] + position
/// embeddings, pre-norm encoder layers, final LayerNorm, linear classifier on the [CLS] token.
/// Weight names are HF's verbatim; the only re-layout is the fused QKV projection (<see cref="FusedQkv"/>).
/// </summary>
public static class Vit
{
    /// <summary>Records the model for <paramref name="batch"/> images of <see cref="ModelConfig.InputSize"/>.</summary>
    public static ModelGraph Build(VitConfig c, IWeightSource weights, int batch, bool hiddenStates = false)
    {
        var g = new GraphBuilder();
        var w = new WeightScope(g, weights);
        int d = c.HiddenSize, tokens = c.NumPatches + 1;
        var x = g.Input("pixel_values", batch, c.NumChannels, c.ImageSize, c.ImageSize);

        var emb = w.Pp("vit").Pp("embeddings");
        var patches = emb.Pp("patch_embeddings").Pp("projection");
        var h = g.PatchEmbedding(x, patches.Tensor("weight", d, c.NumChannels, c.PatchSize, c.PatchSize), patches.Tensor("bias", d), patches.Prefix);
        var cls = g.Expand(emb.Tensor("cls_token", 1, 1, d), batch, 1, d);
        h = g.Add(g.Concat(1, cls, h), emb.Tensor("position_embeddings", 1, tokens, d), emb.Prefix);
        if (hiddenStates) g.Output("hidden_states.0", h);

        var encoder = w.Pp("vit").Pp("encoder").Pp("layer");
        for (int i = 0; i < c.NumHiddenLayers; i++)
        {
            h = EncoderLayer(g, c, encoder.Pp(i), h);
            if (hiddenStates) g.Output($"hidden_states.{i + 1}", h);
        }

        var ln = w.Pp("vit").Pp("layernorm");
        h = g.LayerNorm(h, ln.Tensor("weight", d), ln.Tensor("bias", d), c.LayerNormEps, ln.Prefix);
        var clsToken = g.Reshape(g.Slice(h, 1, 0, 1), batch, d);
        var head = w.Pp("classifier");
        g.Output("logits", g.Linear(clsToken, head.Tensor("weight", c.NumLabels, d), head.Tensor("bias", c.NumLabels), head.Prefix));
        return g.Build();
    }

    static Node EncoderLayer(GraphBuilder g, VitConfig c, WeightScope w, Node x)
    {
        int d = c.HiddenSize;
        var before = w.Pp("layernorm_before");
        var h = g.LayerNorm(x, before.Tensor("weight", d), before.Tensor("bias", d), c.LayerNormEps, before.Prefix);
        var qkv = FusedQkv(g, w.Pp("attention").Pp("attention"), d, h, queryBias: c.QkvBias, keyBias: c.QkvBias, valueBias: c.QkvBias);
        var context = g.Attention(qkv, c.NumAttentionHeads, name: w.Pp("attention").Prefix);
        x = g.Add(x, Dense(g, w.Pp("attention").Pp("output").Pp("dense"), context, d, d));        // residual 1

        var after = w.Pp("layernorm_after");
        h = g.LayerNorm(x, after.Tensor("weight", d), after.Tensor("bias", d), c.LayerNormEps, after.Prefix);
        h = g.Gelu(Dense(g, w.Pp("intermediate").Pp("dense"), h, c.IntermediateSize, d));
        return g.Add(x, Dense(g, w.Pp("output").Pp("dense"), h, d, c.IntermediateSize));         // residual 2
    }

    static Node Dense(GraphBuilder g, WeightScope w, Node x, int outFeatures, int inFeatures) =>
        g.Linear(x, w.Tensor("weight", outFeatures, inFeatures), w.Tensor("bias", outFeatures), w.Prefix);

    /// <summary>
    /// The model's one re-layout: HF's separate query/key/value Linear layers as one [3·D, D] projection, so a
    /// single GEMM produces the [B, T, 3·D] tensor the attention node reads. A part without a bias (ViT without
    /// qkv_bias; BEiT's key, a Linear with bias=False) gets zeros there, which is the same function. A prepared
    /// source holds the fused tensors under these names already.
    /// Shared by the ViT-like families (BEiT), so the layout lives in one place.
    /// </summary>
    internal static Node FusedQkv(GraphBuilder g, WeightScope w, int d, Node x, bool queryBias, bool keyBias, bool valueBias)
    {
        if (w.Prepared) return g.Linear(x, w.Tensor("qkv.weight", 3 * d, d), w.Tensor("qkv.bias", 3 * d), w.Prefix);
        var weight = new float[3 * d * d];
        var bias = new float[3 * d];
        (string Name, bool HasBias)[] parts = [("query", queryBias), ("key", keyBias), ("value", valueBias)];
        for (int i = 0; i < 3; i++)
        {
            w.Pp(parts[i].Name).Data("weight", d, d).CopyTo(weight, i * d * d);
            if (parts[i].HasBias) w.Pp(parts[i].Name).Data("bias", d).CopyTo(bias, i * d);
        }
        return g.Linear(x, g.Constant(w.Name("qkv.weight"), [3 * d, d], weight), g.Constant(w.Name("qkv.bias"), [3 * d], bias), w.Prefix);
    }
}
