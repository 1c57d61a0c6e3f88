using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>
/// Fused multi-head attention (HF ViT/BEiT self-attention on a [B, T, 3·D] QKV tensor, optional additive bias
/// [H, T, T] or [B, H, T, T]) against <see cref="RefOps.Attention"/>; attention tolerance 1e-4/1e-3.
/// </summary>
public sealed class AttentionTests
{
    // batch, tokens, dModel, heads, bias: 0 none, 3 [H,T,T], 4 [B,H,T,T]
    [TestCase(1, 1, 1, 1, 0)]
    [TestCase(1, 1, 4, 2, 3)]
    [TestCase(1, 7, 33, 3, 0)]
    [TestCase(2, 7, 33, 11, 4)]
    [TestCase(3, 33, 64, 4, 3)]
    [TestCase(2, 50, 96, 3, 4)]
    public void Attention_oddShapes_matchReference(int batch, int tokens, int dModel, int heads, int bias)
    {
        AttentionCase(new CpuBackend(1), batch, tokens, dModel, heads, bias, scale: null, spread: 1);
        AttentionCase(new CpuBackend(2), batch, tokens, dModel, heads, bias, scale: null, spread: 1);
    }

    [TestCase(1, 0)]
    [TestCase(2, 3)]
    public void Attention_vitBase197x768With12Heads_matchesReference(int threads, int bias) =>
        AttentionCase(new CpuBackend(threads), 1, 197, 768, 12, bias, scale: null, spread: 1);

    [Test]
    public void Attention_explicitScale_matchesReference() =>
        AttentionCase(new CpuBackend(2), 2, 17, 24, 2, 4, scale: 0.3f, spread: 1);

    [Test]
    public void Attention_largeScores_matchesReference() =>
        AttentionCase(new CpuBackend(2), 1, 33, 64, 2, 3, scale: 8f, spread: 2);

    internal static void AttentionCase(IBackend be, int batch, int tokens, int dModel, int heads, int biasRank, float? scale, double spread)
    {
        string what = $"attention B={batch} T={tokens} D={dModel} H={heads} bias={(biasRank == 0 ? "none" : biasRank + "-D")} scale={scale?.ToString() ?? "default"} on {be.Name}";
        var rng = TestRandom.Create(what);
        int[] shape = [batch, tokens, 3 * dModel];
        var qkv = rng.Uniform(shape, -spread, spread);
        int[] biasShape = biasRank == 4 ? [batch, heads, tokens, tokens] : [heads, tokens, tokens];
        var bias = rng.Uniform(biasShape, -2, 2);
        var g = new GraphBuilder();
        var node = g.Attention(g.Input("x", shape), heads, biasRank == 0 ? null : g.Constant("bias", biasShape, bias), scale);
        var got = OpRunner.Run(be, g, node, qkv);
        double s = scale ?? 1.0 / Math.Sqrt(dModel / heads);
        var want = RefOps.Attention(RefOps.D(qkv), batch, tokens, dModel, heads, s, biasRank == 0 ? null : RefOps.D(bias), biasRank == 4);
        TensorAssert.Close(got, want, 1e-4, 1e-3, what);
    }
}
