using HipVision.Graph;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// 1×1 convolution (stride 1, no padding, groups 1) straight on NCHW, no im2col and no transposes:
/// per image, Y[O, HW] = W[O, C]·X[C, HW] + b, then the fused activation (if any) while the block is in cache.
/// Geometry: the HW columns are cut into blocks of <see cref="Block"/>, and when that gives fewer than two
/// jobs per thread (late layers: 14×14 or 7×7 maps) the O output rows are cut too, in multiples of the
/// SGEMM's 6-row tile; thread w takes jobs w, w + T, … and runs the unpacked SGEMM on each (W read in place
/// as A, the C×Block slab of X packed into that thread's scratch). The expansion/projection convs of
/// MobileNet and EfficientNet are this op.
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
        int blocks = (hw + Block - 1) / Block, columnJobs = batch * blocks;
        int rowParts = Math.Clamp((2 * threads + columnJobs - 1) / columnJobs, 1, Math.Max(1, o / 48));
        int rowsPerPart = (o + rowParts - 1) / rowParts;
        rowsPerPart = (rowsPerPart + 5) / 6 * 6;
        rowParts = (o + rowsPerPart - 1) / rowsPerPart;
        int jobs = columnJobs * rowParts;
        int workers = Math.Max(1, Math.Min(threads, jobs));
        long perThread = ScratchFloatsPerThread(o, c);
        CpuParallel.For(workers, workers, w =>
        {
            float* work = scratch.Pointer + w * perThread;
            for (int job = w; job < jobs; job += workers)
            {
                int column = job / rowParts, o0 = job % rowParts * rowsPerPart, rows = Math.Min(rowsPerPart, o - o0);
                int b = column / blocks, j0 = column % blocks * Block, n = Math.Min(Block, hw - j0);
                float* src = x.Pointer + (long)b * c * hw + j0;
                float* dst = y.Pointer + ((long)b * o + o0) * hw + j0;
                Sgemm.MultiplyUnpacked(weight.Pointer + (long)o0 * c, c, false, src, hw, false, dst, hw, rows, n, c, 1f, false, work);
                for (int oc = o0; oc < o0 + rows; oc++)
                {
                    var row = new Span<float>(dst + (long)(oc - o0) * hw, n);
                    if (bias != 0) System.Numerics.Tensors.TensorPrimitives.Add(row, ((float*)bias)[oc], row);
                    if (activation is { } act) UnaryStep.Apply(act, row, row);
                }
            }
        });
    }
}
