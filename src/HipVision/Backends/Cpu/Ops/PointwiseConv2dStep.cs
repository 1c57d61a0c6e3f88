using HipVision.Graph;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// 1×1 convolution (stride 1, no padding, groups 1) straight on NCHW, no im2col and no transposes:
/// per image, Y[O, HW] = W[O, C]·X[C, HW] + b, then the fused activation (if any) while the block is in cache.
/// Geometry: the HW columns are cut into blocks of <see cref="Block"/>; thread w takes blocks w, w + T, …
/// and runs the unpacked SGEMM on each (W read in place as A, the C×Block slab of X packed into that thread's
/// scratch). The expansion/projection convs of MobileNet and EfficientNet are this op.
/// </summary>
internal sealed unsafe class PointwiseConv2dStep(string name, CpuTensor x, CpuTensor weight, nint bias, CpuTensor y, OpKind? activation,
    CpuTensor scratch, int threads) : CpuStep(name, activation is { } a ? $"Conv2d(1x1)+{a}" : "Conv2d(1x1)")
{
    /// <summary>Columns per block: a multiple of the SGEMM's 32-wide panels, small enough for L2 with C ≤ 2560.</summary>
    const int Block = 128;

    public static long ScratchFloatsPerThread(int outChannels, int inChannels) => Sgemm.ScratchFloats(outChannels, Block, inChannels);

    public override void Run()
    {
        int batch = x.Shape[0], c = x.Shape[1], o = y.Shape[1], hw = x.Shape[2] * x.Shape[3];
        int blocks = (hw + Block - 1) / Block, jobs = batch * blocks;
        int workers = Math.Max(1, Math.Min(threads, jobs));
        long perThread = ScratchFloatsPerThread(o, c);
        CpuParallel.For(workers, workers, w =>
        {
            float* work = scratch.Pointer + w * perThread;
            for (int job = w; job < jobs; job += workers)
            {
                int b = job / blocks, j0 = job % blocks * Block, n = Math.Min(Block, hw - j0);
                float* src = x.Pointer + (long)b * c * hw + j0;
                float* dst = y.Pointer + (long)b * o * hw + j0;
                Sgemm.MultiplyUnpacked(weight.Pointer, c, false, src, hw, false, dst, hw, o, n, c, 1f, false, work);
                for (int oc = 0; oc < o; oc++)
                {
                    var row = new Span<float>(dst + (long)oc * hw, n);
                    if (bias != 0) System.Numerics.Tensors.TensorPrimitives.Add(row, ((float*)bias)[oc], row);
                    if (activation is { } act) UnaryStep.Apply(act, row, row);
                }
            }
        });
    }
}
