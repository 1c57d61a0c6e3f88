using HipVision.Graph;
using HipVision.Weights;

namespace HipVision.Models;

/// <summary>
/// BeitForImageClassification as a graph, following HF's forward (transformers 4.38): patch embedding,
/// [CLS] (+ absolute position embeddings when configured), pre-norm encoder layers whose attention adds a
/// relative position bias and whose branches are scaled by lambda_1/lambda_2, then mean pooling of the patch
/// tokens with <c>pooler.layernorm</c> (or [CLS] after <c>beit.layernorm</c>), then the linear classifier.
/// Weight names are HF's verbatim. Re-layout happens in <see cref="Remap"/> only: the fused QKV projection
/// (key has no bias in BEiT) and the relative position bias table gathered into a [heads, T, T] constant
/// once, when the graph is built.
/// </summary>
public static class Beit
{
    /// <summary>Records the model for <paramref name="batch"/> images of <see cref="ModelConfig.InputSize"/>.</summary>
    public static ModelGraph Build(BeitConfig c, IWeightSource weights, int batch, bool hiddenStates = false)
    {
        var g = new GraphBuilder();
        var w = new WeightScope(g, weights);
        var beit = w.Pp("beit");
        int d = c.HiddenSize, tokens = c.NumPatches + 1;
        var x = g.Input("pixel_values", batch, c.NumChannels, c.ImageSize, c.ImageSize);

        var h = Embeddings(g, c, beit.Pp("embeddings"), x, batch);
        if (hiddenStates) g.Output("hidden_states.0", h);

        var encoder = beit.Pp("encoder");
        float[]? shared = c.UseSharedRelativePositionBias && !w.Prepared ? Remap.RelativePositionBias(encoder.Pp("relative_position_bias"), c) : null;
        for (int i = 0; i < c.NumHiddenLayers; i++)
        {
            var layer = encoder.Pp("layer").Pp(i);
            h = Layer(g, c, layer, h, Remap.LayerBias(g, c, layer, shared));
            if (hiddenStates) g.Output($"hidden_states.{i + 1}", h);
        }

        Node pooled;
        if (c.UseMeanPooling)
        {
            // beit.layernorm is Identity here; the pooler averages the patch tokens (not [CLS]), then normalises.
            var mean = g.ReduceMean(g.Slice(h, 1, 1, tokens), 1, beit.Pp("pooler").Prefix);
            pooled = LayerNorm(g, c, beit.Pp("pooler").Pp("layernorm"), mean);
        }
        else
        {
            h = LayerNorm(g, c, beit.Pp("layernorm"), h);
            pooled = g.Reshape(g.Slice(h, 1, 0, 1), batch, d);
        }
        g.Output("logits", Dense(g, w.Pp("classifier"), pooled, c.NumLabels, d));
        return g.Build();
    }

    static Node Embeddings(GraphBuilder g, BeitConfig c, WeightScope emb, Node pixels, int batch)
    {
        int d = c.HiddenSize;
        var cls = g.Expand(emb.Tensor("cls_token", 1, 1, d), batch, 1, d);
        if (c.UseMaskToken && !emb.Prepared) emb.Data("mask_token", 1, 1, d);   // in the state_dict, but only masked image modeling reads it
        var projection = emb.Pp("patch_embeddings").Pp("projection");
        var patches = g.PatchEmbedding(pixels, projection.Tensor("weight", d, c.NumChannels, c.PatchSize, c.PatchSize), projection.Tensor("bias", d), projection.Prefix);
        var h = g.Concat(1, cls, patches);
        if (c.UseAbsolutePositionEmbeddings)
            h = g.Add(h, emb.Tensor("position_embeddings", 1, c.NumPatches + 1, d), emb.Prefix);
        return h;
    }

    static Node Layer(GraphBuilder g, BeitConfig c, WeightScope w, Node x, Node? relativePositionBias)
    {
        int d = c.HiddenSize;
        bool layerScale = c.LayerScaleInitValue > 0;
        var h = LayerNorm(g, c, w.Pp("layernorm_before"), x);
        var self = w.Pp("attention").Pp("attention");
        var qkv = Vit.FusedQkv(g, self, d, h, queryBias: true, keyBias: false, valueBias: true);
        var context = g.Attention(qkv, c.NumAttentionHeads, relativePositionBias, name: w.Pp("attention").Prefix);
        var attention = Dense(g, w.Pp("attention").Pp("output").Pp("dense"), context, d, d);
        if (layerScale) attention = g.Mul(attention, w.Tensor("lambda_1", d), w.Name("lambda_1"));
        x = g.Add(attention, x);                                                          // residual 1

        h = LayerNorm(g, c, w.Pp("layernorm_after"), x);
        h = g.Gelu(Dense(g, w.Pp("intermediate").Pp("dense"), h, c.IntermediateSize, d));
        h = Dense(g, w.Pp("output").Pp("dense"), h, d, c.IntermediateSize);
        if (layerScale) h = g.Mul(h, w.Tensor("lambda_2", d), w.Name("lambda_2"));
        return g.Add(h, x);                                                               // residual 2
    }

    static Node LayerNorm(GraphBuilder g, BeitConfig c, WeightScope w, Node x) =>
        g.LayerNorm(x, w.Tensor("weight", c.HiddenSize), w.Tensor("bias", c.HiddenSize), c.LayerNormEps, w.Prefix);

    static Node Dense(GraphBuilder g, WeightScope w, Node x, int outFeatures, int inFeatures) =>
        g.Linear(x, w.Tensor("weight", outFeatures, inFeatures), w.Tensor("bias", outFeatures), w.Prefix);

    /// <summary>Number of rows of a relative position bias table for a window: every 2-D offset, then 3 [CLS] entries.</summary>
    public static int NumRelativeDistance(int windowHeight, int windowWidth) => (2 * windowHeight - 1) * (2 * windowWidth - 1) + 3;

    /// <summary>
    /// HF's <c>relative_position_index</c> for a window of <paramref name="windowHeight"/> × <paramref name="windowWidth"/>
    /// patches, [T, T] with T = Wh·Ww + 1 (token 0 is [CLS], patches in row-major order). For patches i, j at
    /// (yi, xi), (yj, xj): (yi − yj + Wh − 1)·(2·Ww − 1) + (xi − xj + Ww − 1). Row 0 ([CLS] → patch) is n − 3,
    /// column 0 (patch → [CLS]) n − 2, entry (0, 0) n − 1, with n = <see cref="NumRelativeDistance"/>.
    /// </summary>
    public static int[] RelativePositionIndex(int windowHeight, int windowWidth)
    {
        int area = windowHeight * windowWidth, t = area + 1, n = NumRelativeDistance(windowHeight, windowWidth);
        var index = new int[t * t];
        for (int i = 0; i < area; i++)
            for (int j = 0; j < area; j++)
            {
                int dy = i / windowWidth - j / windowWidth + windowHeight - 1;
                int dx = i % windowWidth - j % windowWidth + windowWidth - 1;
                index[(i + 1) * t + j + 1] = dy * (2 * windowWidth - 1) + dx;
            }
        for (int j = 1; j < t; j++) index[j] = n - 3;
        for (int i = 1; i < t; i++) index[i * t] = n - 2;
        index[0] = n - 1;
        return index;
    }

    /// <summary>
    /// The table [n, heads] gathered through <see cref="RelativePositionIndex"/> and laid out per head:
    /// bias[h, i, j] = table[index[i, j], h], the [heads, T, T] tensor HF adds to the attention scores.
    /// </summary>
    public static float[] GatherRelativePositionBias(float[] table, int heads, int windowHeight, int windowWidth)
    {
        int n = NumRelativeDistance(windowHeight, windowWidth);
        if (table.Length != n * heads)
            throw new ArgumentException($"relative position bias table has {table.Length} values, expected [{n},{heads}]");
        var index = RelativePositionIndex(windowHeight, windowWidth);
        int tt = index.Length;
        var bias = new float[heads * tt];
        for (int h = 0; h < heads; h++)
            for (int k = 0; k < tt; k++)
                bias[h * tt + k] = table[index[k] * heads + h];
        return bias;
    }

    /// <summary>The model's re-layouts of HF tensors (besides <see cref="Vit.FusedQkv"/>).</summary>
    static class Remap
    {
        /// <summary>A <c>relative_position_bias</c> module's table as the [heads, T, T] bias, computed once here.</summary>
        public static float[] RelativePositionBias(WeightScope w, BeitConfig c)
        {
            var (wh, ww) = c.WindowSize;
            var table = w.Data("relative_position_bias_table", NumRelativeDistance(wh, ww), c.NumAttentionHeads);
            return GatherRelativePositionBias(table, c.NumAttentionHeads, wh, ww);
        }

        /// <summary>
        /// The [heads, T, T] constant a layer adds to its attention scores (null when the config has no relative
        /// position bias): its own table gathered, plus the <paramref name="shared"/> one. A prepared source holds
        /// the result under the same name.
        /// </summary>
        public static Node? LayerBias(GraphBuilder g, BeitConfig c, WeightScope layer, float[]? shared)
        {
            if (!c.UseRelativePositionBias && !c.UseSharedRelativePositionBias) return null;
            int t = c.NumPatches + 1;
            const string name = "attention.relative_position_bias";
            if (layer.Prepared) return layer.Tensor(name, c.NumAttentionHeads, t, t);
            float[]? own = c.UseRelativePositionBias ? RelativePositionBias(layer.Pp("attention").Pp("attention").Pp("relative_position_bias"), c) : null;
            return g.Constant(layer.Name(name), [c.NumAttentionHeads, t, t], Sum(own, shared)!);
        }

        /// <summary>A layer's own bias plus the shared one (HF adds both to the scores when both are configured).</summary>
        public static float[]? Sum(float[]? own, float[]? shared)
        {
            if (own is null || shared is null) return own ?? shared;
            var sum = new float[own.Length];
            for (int i = 0; i < sum.Length; i++) sum[i] = own[i] + shared[i];
            return sum;
        }
    }
}
