using HipVision.Models;
using HipVision.Weights;

namespace HipVision.Tests.Reference;

/// <summary>
/// BeitForImageClassification (transformers 4.38) in float64 from <see cref="RefOps"/>, written like the HF
/// forward with separate query/key/value projections (key without bias) and the relative position index built
/// as BeitRelativePositionBias builds it (meshgrid coordinates, pairwise differences, shift, row stride,
/// then the three [CLS] entries). Checked against the tiny-beit fixture, then used for the configurations
/// no fixture covers (shared bias, absolute position embeddings, [CLS] pooling).
/// </summary>
static class BeitReference
{
    /// <summary>HF relative_position_index for a (Wh, Ww) window: [T, T], T = Wh·Ww + 1.</summary>
    public static int[,] RelativePositionIndex(int wh, int ww)
    {
        int area = wh * ww, n = (2 * wh - 1) * (2 * ww - 1) + 3;
        // coords_flatten: [2, area], row-major meshgrid (ij indexing)
        var coords = new int[2, area];
        for (int y = 0; y < wh; y++)
            for (int x = 0; x < ww; x++) { coords[0, y * ww + x] = y; coords[1, y * ww + x] = x; }
        var index = new int[area + 1, area + 1];
        for (int i = 0; i < area; i++)
            for (int j = 0; j < area; j++)
            {
                int r0 = coords[0, i] - coords[0, j] + (wh - 1);
                int r1 = coords[1, i] - coords[1, j] + (ww - 1);
                r0 *= 2 * ww - 1;
                index[i + 1, j + 1] = r0 + r1;
            }
        for (int j = 0; j <= area; j++) index[0, j] = n - 3;
        for (int i = 0; i <= area; i++) index[i, 0] = n - 2;
        index[0, 0] = n - 1;
        return index;
    }

    /// <summary>bias[h, i, j] = table[index[i, j], h] for a table [n, heads] (C order).</summary>
    public static double[] RelativePositionBias(double[] table, int heads, int wh, int ww)
    {
        var index = RelativePositionIndex(wh, ww);
        int t = index.GetLength(0);
        var bias = new double[heads * t * t];
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < t; i++)
                for (int j = 0; j < t; j++)
                    bias[(h * t + i) * t + j] = table[index[i, j] * heads + h];
        return bias;
    }

    /// <summary>Logits [B, labels] and hidden_states[0..L], each [B, T, D].</summary>
    public static (double[] Logits, double[][] HiddenStates) Forward(BeitConfig c, IWeightSource weights, float[] pixels, int batch)
    {
        int d = c.HiddenSize, heads = c.NumAttentionHeads, p = c.PatchSize, n = c.NumPatches, t = n + 1;
        var (wh, ww) = c.WindowSize;
        int tableRows = (2 * wh - 1) * (2 * ww - 1) + 3;
        double[] W(string name, params int[] shape) => RefOps.D(weights.Get(name, shape));

        var patches = RefOps.PatchEmbedding(RefOps.D(pixels), [batch, c.NumChannels, c.ImageSize, c.ImageSize],
            W("beit.embeddings.patch_embeddings.projection.weight", d, c.NumChannels, p, p), [d, c.NumChannels, p, p],
            W("beit.embeddings.patch_embeddings.projection.bias", d));
        var cls = W("beit.embeddings.cls_token", 1, 1, d);
        var h = new double[batch * t * d];
        for (int b = 0; b < batch; b++)
        {
            Array.Copy(cls, 0, h, b * t * d, d);
            Array.Copy(patches, b * n * d, h, (b * t + 1) * d, n * d);
        }
        if (c.UseAbsolutePositionEmbeddings)
        {
            var pos = W("beit.embeddings.position_embeddings", 1, t, d);
            for (int i = 0; i < h.Length; i++) h[i] += pos[i % (t * d)];
        }
        var hidden = new List<double[]> { (double[])h.Clone() };

        double[]? shared = c.UseSharedRelativePositionBias
            ? RelativePositionBias(W("beit.encoder.relative_position_bias.relative_position_bias_table", tableRows, heads), heads, wh, ww) : null;
        for (int l = 0; l < c.NumHiddenLayers; l++)
        {
            string pre = $"beit.encoder.layer.{l}.";
            var x = RefOps.LayerNorm(h, d, W(pre + "layernorm_before.weight", d), W(pre + "layernorm_before.bias", d), c.LayerNormEps);
            var q = RefOps.Linear(x, W(pre + "attention.attention.query.weight", d, d), W(pre + "attention.attention.query.bias", d), d, d);
            var k = RefOps.Linear(x, W(pre + "attention.attention.key.weight", d, d), null, d, d);
            var v = RefOps.Linear(x, W(pre + "attention.attention.value.weight", d, d), W(pre + "attention.attention.value.bias", d), d, d);
            var qkv = new double[batch * t * 3 * d];
            for (int r = 0; r < batch * t; r++)
            {
                Array.Copy(q, r * d, qkv, r * 3 * d, d);
                Array.Copy(k, r * d, qkv, r * 3 * d + d, d);
                Array.Copy(v, r * d, qkv, r * 3 * d + 2 * d, d);
            }
            double[]? bias = null;
            if (c.UseRelativePositionBias)
                bias = RelativePositionBias(W(pre + "attention.attention.relative_position_bias.relative_position_bias_table", tableRows, heads), heads, wh, ww);
            if (shared != null)
                bias = bias == null ? shared : bias.Zip(shared, (a, s) => a + s).ToArray();
            var context = RefOps.Attention(qkv, batch, t, d, heads, 1 / Math.Sqrt(d / heads), bias, biasPerBatch: false);
            var attention = RefOps.Linear(context, W(pre + "attention.output.dense.weight", d, d), W(pre + "attention.output.dense.bias", d), d, d);
            if (c.LayerScaleInitValue > 0) Scale(attention, W(pre + "lambda_1", d));
            for (int i = 0; i < h.Length; i++) h[i] += attention[i];

            x = RefOps.LayerNorm(h, d, W(pre + "layernorm_after.weight", d), W(pre + "layernorm_after.bias", d), c.LayerNormEps);
            x = RefOps.Map(RefOps.Linear(x, W(pre + "intermediate.dense.weight", c.IntermediateSize, d), W(pre + "intermediate.dense.bias", c.IntermediateSize), d, c.IntermediateSize), RefOps.Gelu);
            x = RefOps.Linear(x, W(pre + "output.dense.weight", d, c.IntermediateSize), W(pre + "output.dense.bias", d), c.IntermediateSize, d);
            if (c.LayerScaleInitValue > 0) Scale(x, W(pre + "lambda_2", d));
            for (int i = 0; i < h.Length; i++) h[i] += x[i];
            hidden.Add((double[])h.Clone());
        }

        var pooled = new double[batch * d];
        if (c.UseMeanPooling)
        {
            for (int b = 0; b < batch; b++)
                for (int i = 1; i < t; i++)
                    for (int j = 0; j < d; j++) pooled[b * d + j] += h[(b * t + i) * d + j] / n;
            pooled = RefOps.LayerNorm(pooled, d, W("beit.pooler.layernorm.weight", d), W("beit.pooler.layernorm.bias", d), c.LayerNormEps);
        }
        else
        {
            var normed = RefOps.LayerNorm(h, d, W("beit.layernorm.weight", d), W("beit.layernorm.bias", d), c.LayerNormEps);
            for (int b = 0; b < batch; b++) Array.Copy(normed, b * t * d, pooled, b * d, d);
        }
        var logits = RefOps.Linear(pooled, W("classifier.weight", c.NumLabels, d), W("classifier.bias", c.NumLabels), d, c.NumLabels);
        return (logits, hidden.ToArray());
    }

    static void Scale(double[] x, double[] gamma)
    {
        for (int i = 0; i < x.Length; i++) x[i] *= gamma[i % gamma.Length];
    }
}
