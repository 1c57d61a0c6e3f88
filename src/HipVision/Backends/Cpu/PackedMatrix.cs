using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HipVision.Backends.Cpu;

/// <summary>
/// The B operand of <see cref="Sgemm.Multiply"/> (K×N), packed once when a plan is compiled into the layout the
/// micro-kernel streams: ⌈N/32⌉ panels of 32 columns, each K rows of 32 contiguous floats, the last panel
/// zero-padded. Any k-block of a panel is then one contiguous, 64-byte-aligned run.
/// </summary>
public sealed unsafe class PackedMatrix
{
    const int Alignment = 16; // floats, one cache line

    readonly float[] storage;
    readonly int offset;

    PackedMatrix(int k, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        K = k;
        N = n;
        long length = PanelFloats(k, n) + Alignment;
        if (length > Array.MaxLength)
            throw new HipVisionException($"packed matrix {k}x{n} is too large");
        // Pinned for its whole life so the GEMM can hold a raw pointer; zeroed so panel padding is zero.
        storage = GC.AllocateArray<float>((int)length, pinned: true);
        long address = (long)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(storage));
        offset = (int)((-address >> 2) & (Alignment - 1));
    }

    /// <summary>Inner dimension (rows of B).</summary>
    public int K { get; }

    /// <summary>Output columns (columns of B).</summary>
    public int N { get; }

    /// <summary>
    /// Start of the first panel; panel j/32 starts at <c>Data + (j/32)·K·32</c>. A raw pointer into a pinned array:
    /// valid while this object is reachable, so users end with <c>GC.KeepAlive</c> of it.
    /// </summary>
    internal float* Data => (float*)Unsafe.AsPointer(ref storage[offset]);

    /// <summary>Packs a PyTorch <c>nn.Linear</c> weight stored [N, K], so that the product is y = x·Wᵀ.</summary>
    /// <param name="w">Weight, row j holding the K inputs of output j.</param>
    /// <param name="n">Output features.</param>
    /// <param name="k">Input features.</param>
    public static PackedMatrix FromLinearWeight(ReadOnlySpan<float> w, int n, int k)
    {
        CheckLength(w.Length, n, k, "linear weight [N, K]");
        var packed = new PackedMatrix(k, n);
        fixed (float* src = w)
            Pack(packed.Data, src, 1, k, k, n, 1f);
        // Data is a raw pointer into storage: keep the owner alive until the packing is done.
        GC.KeepAlive(packed);
        return packed;
    }

    /// <summary>Packs a matrix B stored row-major [K, N].</summary>
    /// <param name="b">Matrix, row p holding the N columns of input p.</param>
    /// <param name="k">Rows.</param>
    /// <param name="n">Columns.</param>
    public static PackedMatrix FromRowMajor(ReadOnlySpan<float> b, int k, int n)
    {
        CheckLength(b.Length, n, k, "matrix [K, N]");
        var packed = new PackedMatrix(k, n);
        fixed (float* src = b)
            Pack(packed.Data, src, n, 1, k, n, 1f);
        // Data is a raw pointer into storage: keep the owner alive until the packing is done.
        GC.KeepAlive(packed);
        return packed;
    }

    /// <summary>A zeroed matrix of the same size, for <see cref="ScaleRowsInto"/>.</summary>
    internal PackedMatrix EmptyCopy() => new(K, N);

    /// <summary>
    /// destination = diag(<paramref name="rowScale"/>)·this: row p of B (input channel p) multiplied by rowScale[p]
    /// (K floats), for a channel scale applied to the GEMM's A folded into B instead.
    /// </summary>
    internal void ScaleRowsInto(PackedMatrix destination, float* rowScale)
    {
        if (destination.K != K || destination.N != N) throw new ArgumentException("destination must have this matrix's size");
        const int nr = SgemmKernel.Nr;
        float* src = Data, dst = destination.Data;
        for (long panel = 0; panel < (N + nr - 1) / nr; panel++)
            for (int p = 0; p < K; p++)
            {
                long row = (panel * K + p) * nr;
                TensorPrimitives.Multiply(new ReadOnlySpan<float>(src + row, nr), rowScale[p], new Span<float>(dst + row, nr));
            }
        GC.KeepAlive(this);
        GC.KeepAlive(destination);
    }

    /// <summary>Floats taken by the panels of a K×N matrix.</summary>
    internal static long PanelFloats(int k, int n) =>
        (long)(n + SgemmKernel.Nr - 1) / SgemmKernel.Nr * SgemmKernel.Nr * k;

    /// <summary>
    /// Packs element B[p, j] = alpha·src[p·strideK + j·strideN] (p &lt; k, j &lt; n) into panels at dst, zero-padding
    /// the last panel.
    /// </summary>
    internal static void Pack(float* dst, float* src, nint strideK, nint strideN, int k, int n, float alpha)
    {
        const int nr = SgemmKernel.Nr;
        for (int j0 = 0; j0 < n; j0 += nr)
        {
            int cols = Math.Min(nr, n - j0);
            float* panel = dst + (long)j0 * k;
            float* column0 = src + j0 * strideN;
            if (strideN == 1)
            {
                for (int p = 0; p < k; p++)
                {
                    float* from = column0 + p * strideK;
                    float* to = panel + p * nr;
                    for (int j = 0; j < cols; j++)
                        to[j] = alpha * from[j];
                    for (int j = cols; j < nr; j++)
                        to[j] = 0f;
                }
            }
            else
            {
                // Column-contiguous source (transposed B): read along p, write down the panel.
                for (int j = 0; j < nr; j++)
                {
                    float* to = panel + j;
                    if (j < cols)
                    {
                        float* from = column0 + j * strideN;
                        for (int p = 0; p < k; p++)
                            to[p * nr] = alpha * from[p * strideK];
                    }
                    else
                    {
                        for (int p = 0; p < k; p++)
                            to[p * nr] = 0f;
                    }
                }
            }
        }
    }

    static void CheckLength(int length, int n, int k, string what)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (length != (long)n * k)
            throw new ArgumentException($"{what} has {length} floats, expected {n}x{k} = {(long)n * k}");
    }
}
