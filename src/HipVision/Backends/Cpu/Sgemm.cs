using System.Runtime.CompilerServices;

namespace HipVision.Backends.Cpu;

/// <summary>
/// Single-precision matrix multiply for the CPU backend: C[m×n] = A[m×k]·B[k×n] (+ bias) (+ C), all row-major.
/// </summary>
/// <remarks>
/// Goto/BLIS blocking with B pre-packed in 32-column panels (<see cref="PackedMatrix"/>) and A read in place:
/// for each block of <see cref="Nc"/> columns, for each k-block of <see cref="Kc"/> rows (the B block now in L2),
/// for each 6-row strip of A (in L1), the 6×32 micro-kernel (<see cref="SgemmKernel"/>) sweeps the panels.
/// (Measured: panels-outer with the B panel in L1 instead ran the M = 1576 shapes ~30% slower.) A is not packed: its
/// rows are read with broadcasts, one float per row per k step, which the hardware prefetchers stream well,
/// and packing A would cost a pass over it per thread and call. Only the last partial tile of rows is copied
/// into a zero-padded buffer, and tiles cut by the edges of C run through a 6×32 scratch tile.
/// Threads take parts of the B panels dynamically (each part reads all of A), or of the rows when panels are few.
/// Measured (2-core Zen 4 VM, ViT-B shapes, best of runs): ~110-115 GFLOP/s on one thread, ~196-226 on two,
/// against ~116 GFLOP/s for the kernel alone in cache; <c>bash bench/kernels.sh sgemm</c> re-measures.
/// </remarks>
public static unsafe class Sgemm
{
    /// <summary>Rows of B per k-block: the kernel's 6×Kc strip of A (6 KiB) stays in L1 across a block of panels.</summary>
    const int Kc = 256;

    /// <summary>Columns of B per block: a Kc×Nc block of panels (384 KiB) stays in L2 while every row of A passes.</summary>
    const int Nc = 384;

    /// <summary>Products smaller than this many multiply-adds (~10 µs) run on one thread: a fork-join costs a few µs.</summary>
    const long MinParallelWork = 1 << 20;

    /// <summary>
    /// Work items per thread. More than one lets a thread whose core is busy with something else hand its share
    /// to the other (measured on a loaded 2-core VM: 2-thread QKV/MLP shapes from ~50-75 to ~80-120 GFLOP/s);
    /// panel blocks stay big enough that B blocks are still reused across every row of A.
    /// </summary>
    const int PartsPerThread = 4;

    const int Mr = SgemmKernel.Mr;
    const int Nr = SgemmKernel.Nr;

    /// <summary>
    /// C[m×n] = A[m×k]·B (+ bias[n] when <paramref name="bias"/> is not null) (+ the old C when
    /// <paramref name="accumulate"/>), with k = <c>b.K</c> and n = <c>b.N</c>.
    /// </summary>
    /// <param name="a">A, row-major with row stride <paramref name="lda"/> ≥ k.</param>
    /// <param name="lda">Row stride of A in floats.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="b">Packed B.</param>
    /// <param name="bias">n floats added to every row, or null.</param>
    /// <param name="c">C, row-major with row stride <paramref name="ldc"/> ≥ n; must not overlap A.</param>
    /// <param name="ldc">Row stride of C in floats.</param>
    /// <param name="accumulate">Add to the old contents of C instead of overwriting them.</param>
    /// <param name="threads">Threads to use (the caller included), at least 1.</param>
    public static void Multiply(float* a, int lda, int m, PackedMatrix b, float* bias, float* c, int ldc, bool accumulate, int threads)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfLessThan(lda, b.K);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldc, b.N);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (m == 0 || b.N == 0)
            return;
        var job = new Job
        {
            A = a, Lda = lda, M = m, B = b.Data, K = b.K, N = b.N,
            Bias = bias, C = c, Ldc = ldc, Accumulate = accumulate,
        };
        int panels = (b.N + Nr - 1) / Nr;
        int tiles = (m + Mr - 1) / Mr;
        // The kernel computes at least a full 6-row tile, and for tiny m the cost is reading B, which two cores do faster.
        if ((long)Math.Max(m, Mr) * b.N * b.K < MinParallelWork)
            threads = 1;
        int parts = threads == 1 ? 1 : threads * PartsPerThread;
        // Splitting the panels lets each part reuse all of A from L2; rows only when panels are scarce.
        job.SplitRows = panels < 2 * parts && tiles > panels;
        job.Parts = Math.Max(1, Math.Min(parts, job.SplitRows ? tiles : panels));
        if (job.Parts == 1)
            Run(&job, 0);
        else
            CpuParallel.For(threads, job.Parts, &Run, &job);
        GC.KeepAlive(b);
    }

    /// <summary>
    /// Single-threaded C[m×n] = alpha·op(A)·op(B) (+ the old C when <paramref name="accumulate"/>), packing B into
    /// <paramref name="scratch"/>; for attention, where the caller parallelises over batch × heads.
    /// </summary>
    /// <param name="a">A: element (i, p) at <c>a[i·lda + p]</c>, or <c>a[p·lda + i]</c> when <paramref name="transA"/>.</param>
    /// <param name="lda">Row stride of A as stored.</param>
    /// <param name="transA">A is stored k×m.</param>
    /// <param name="b">B: element (p, j) at <c>b[p·ldb + j]</c>, or <c>b[j·ldb + p]</c> when <paramref name="transB"/>.</param>
    /// <param name="ldb">Row stride of B as stored.</param>
    /// <param name="transB">B is stored n×k (e.g. K rows of a fused QKV buffer for Q·Kᵀ).</param>
    /// <param name="c">C, row-major with row stride <paramref name="ldc"/> ≥ n; must not overlap A or B.</param>
    /// <param name="ldc">Row stride of C.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Inner dimension.</param>
    /// <param name="alpha">Scale of the product (not of the old C).</param>
    /// <param name="accumulate">Add to the old contents of C.</param>
    /// <param name="scratch">At least <see cref="ScratchFloats"/>(m, n, k) floats owned by the calling thread.</param>
    public static void MultiplyUnpacked(float* a, int lda, bool transA, float* b, int ldb, bool transB, float* c, int ldc,
        int m, int n, int k, float alpha, bool accumulate, float* scratch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfLessThan(lda, transA ? m : k);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldb, transB ? k : n);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldc, n);
        if (m == 0 || n == 0)
            return;
        // Panels need 64-byte alignment for the kernel's loads to stay within one cache line.
        float* packedB = (float*)(((nint)scratch + 63) & ~(nint)63);
        PackedMatrix.Pack(packedB, b, transB ? 1 : ldb, transB ? ldb : 1, k, n, alpha);
        if (transA)
        {
            float* packedA = packedB + PackedMatrix.PanelFloats(k, n);
            for (int i = 0; i < m; i++)
                for (int p = 0; p < k; p++)
                    packedA[(long)i * k + p] = a[(long)p * lda + i];
            a = packedA;
            lda = k;
        }
        var job = new Job
        {
            A = a, Lda = lda, M = m, B = packedB, K = k, N = n,
            C = c, Ldc = ldc, Accumulate = accumulate, Parts = 1,
        };
        Run(&job, 0);
    }

    /// <summary>Floats of scratch that <see cref="MultiplyUnpacked"/> needs for an m×n×k product, either transA.</summary>
    public static long ScratchFloats(int m, int n, int k) =>
        PackedMatrix.PanelFloats(k, n) + (long)m * k + 16;

    struct Job
    {
        public float* A, B, Bias, C;
        public int Lda, Ldc, M, N, K, Parts;
        public bool Accumulate, SplitRows;
    }

    static void Run(void* state, int part)
    {
        var job = (Job*)state;
        int panels = (job->N + Nr - 1) / Nr;
        int tiles = (job->M + Mr - 1) / Mr;
        if (job->SplitRows)
        {
            int m0 = (int)((long)tiles * part / job->Parts) * Mr;
            int m1 = Math.Min(job->M, (int)((long)tiles * (part + 1) / job->Parts) * Mr);
            Block(job, m0, m1, 0, panels);
        }
        else
        {
            Block(job, 0, job->M, (int)((long)panels * part / job->Parts), (int)((long)panels * (part + 1) / job->Parts));
        }
    }

    /// <summary>Rows [m0, m1) × panels [p0, p1) of C.</summary>
    [SkipLocalsInit]
    static void Block(Job* job, int m0, int m1, int p0, int p1)
    {
        int k = job->K, n = job->N;
        nint lda = job->Lda, ldc = job->Ldc;
        if (k == 0)
        {
            Fill(job, m0, m1, p0 * Nr, Math.Min(n, p1 * Nr));
            return;
        }
        float* tailA = stackalloc float[Mr * Kc];
        float* tileC = stackalloc float[Mr * Nr];
        float* tileBias = stackalloc float[Nr];
        int fullEnd = m0 + (m1 - m0) / Mr * Mr;
        for (int jc = p0; jc < p1; jc += Nc / Nr)
        {
            int jcEnd = Math.Min(p1, jc + Nc / Nr);
            for (int pc = 0; pc < k; pc += Kc)
            {
                int kc = Math.Min(Kc, k - pc);
                bool first = pc == 0;
                bool loadC = !first || job->Accumulate;
                if (fullEnd < m1)
                    PackTail(job->A + fullEnd * lda + pc, lda, m1 - fullEnd, kc, tailA);
                for (int i = m0; i < m1; i += Mr)
                {
                    bool fullRows = i < fullEnd;
                    float* ai = fullRows ? job->A + i * lda + pc : tailA;
                    nint ldai = fullRows ? lda : kc;
                    for (int p = jc; p < jcEnd; p++)
                    {
                        int j0 = p * Nr;
                        int cols = Math.Min(Nr, n - j0);
                        float* bp = job->B + (long)j0 * k + pc * Nr;
                        float* bias = first && job->Bias != null ? job->Bias + j0 : null;
                        float* ci = job->C + i * ldc + j0;
                        if (fullRows && cols == Nr)
                            SgemmKernel.Tile(ai, ldai, bp, kc, ci, ldc, loadC, bias);
                        else
                            EdgeTile(ai, ldai, bp, kc, ci, ldc, Math.Min(Mr, m1 - i), cols, loadC, bias, tileC, tileBias);
                    }
                }
            }
        }
    }

    /// <summary>Copies the last rows &lt; Mr of a k-block of A into a zero-padded Mr×kc tile.</summary>
    static void PackTail(float* a, nint lda, int rows, int kc, float* dst)
    {
        for (int r = 0; r < Mr; r++)
        {
            var to = new Span<float>(dst + r * kc, kc);
            if (r < rows)
                new ReadOnlySpan<float>(a + r * lda, kc).CopyTo(to);
            else
                to.Clear();
        }
    }

    /// <summary>A tile cut by the edge of C: computed whole in a scratch tile, then the valid part copied out.</summary>
    static void EdgeTile(float* a, nint lda, float* bp, int kc, float* c, nint ldc, int rows, int cols,
        bool loadC, float* bias, float* tileC, float* tileBias)
    {
        if (loadC)
            for (int r = 0; r < rows; r++)
                new ReadOnlySpan<float>(c + r * ldc, cols).CopyTo(new Span<float>(tileC + r * Nr, cols));
        if (bias != null)
        {
            new ReadOnlySpan<float>(bias, cols).CopyTo(new Span<float>(tileBias, Nr));
            new Span<float>(tileBias + cols, Nr - cols).Clear();
            bias = tileBias;
        }
        SgemmKernel.Tile(a, lda, bp, kc, tileC, Nr, loadC, bias);
        for (int r = 0; r < rows; r++)
            new ReadOnlySpan<float>(tileC + r * Nr, cols).CopyTo(new Span<float>(c + r * ldc, cols));
    }

    /// <summary>k = 0: C = (old C or 0) + bias over rows [m0, m1), columns [j0, j1).</summary>
    static void Fill(Job* job, int m0, int m1, int j0, int j1)
    {
        for (int i = m0; i < m1; i++)
        {
            float* ci = job->C + (long)i * job->Ldc;
            for (int j = j0; j < j1; j++)
                ci[j] = (job->Accumulate ? ci[j] : 0f) + (job->Bias != null ? job->Bias[j] : 0f);
        }
    }
}
