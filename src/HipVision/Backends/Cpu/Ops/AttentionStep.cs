using System.Numerics.Tensors;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// Multi-head attention over a fused QKV tensor [B, T, 3·D] (heads H, head size d = D/H):
/// for every (batch, head): S = scale·Q·Kᵀ (+ bias[h] or bias[b, h]), P = softmax_rows(S), O = P·V written into
/// output columns h·d … h·d + d − 1. The (batch, head) pairs are split statically over the threads; each thread
/// owns a T×T score block and GEMM packing scratch inside the plan's arena (no allocation per run).
/// </summary>
internal sealed unsafe class AttentionStep(string name, CpuTensor qkv, CpuTensor? bias, CpuTensor y, int heads, float scale, CpuTensor scratch, int threads)
    : CpuStep(name, "Attention")
{
    public static long ScratchFloatsPerThread(int tokens, int headSize) =>
        (long)tokens * tokens + Math.Max(Sgemm.ScratchFloats(tokens, tokens, headSize), Sgemm.ScratchFloats(tokens, headSize, tokens));

    public override void Run()
    {
        int batch = qkv.Shape[0], t = qkv.Shape[1], d3 = qkv.Shape[2], dModel = d3 / 3, hd = dModel / heads;
        int pairs = batch * heads;
        int workers = Math.Min(threads, pairs);
        long perThread = ScratchFloatsPerThread(t, hd);
        CpuParallel.For(workers, workers, w =>
        {
            float* scores = scratch.Pointer + w * perThread;
            float* gemmScratch = scores + (long)t * t;
            for (int pair = pairs * w / workers; pair < pairs * (w + 1) / workers; pair++)
            {
                int b = pair / heads, h = pair % heads;
                float* q = qkv.Pointer + (long)b * t * d3 + h * hd;
                float* k = q + dModel;
                float* v = q + 2 * dModel;
                Sgemm.MultiplyUnpacked(q, d3, false, k, d3, true, scores, t, t, t, hd, scale, false, gemmScratch);
                var s = new Span<float>(scores, t * t);
                if (bias is { } bb)
                {
                    long offset = bb.Shape.Length == 4 ? (long)pair * t * t : (long)h * t * t;
                    TensorPrimitives.Add(s, new ReadOnlySpan<float>(bb.Pointer + offset, t * t), s);
                }
                for (int r = 0; r < t; r++)
                {
                    var row = s.Slice(r * t, t);
                    CpuMath.Softmax(row, row);
                }
                float* o = y.Pointer + (long)b * t * dModel + h * hd;
                Sgemm.MultiplyUnpacked(scores, t, false, v, d3, false, o, dModel, t, hd, t, 1f, false, gemmScratch);
            }
        });
    }
}
