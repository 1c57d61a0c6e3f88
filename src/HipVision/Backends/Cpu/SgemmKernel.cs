using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HipVision.Backends.Cpu;

/// <summary>
/// The register-tiled micro-kernel of <see cref="Sgemm"/>: one Mr×Nr tile of C from Mr rows of A (read in place,
/// row stride lda) and one packed Nr-wide panel of B (kc rows of Nr floats, contiguous).
/// Math: acc = (loadC ? C : 0) + (bias ?? 0); acc += Σ_p A[r, p]·B[p, 0..Nr); C = acc.
/// AVX-512: 6 rows × 2 zmm = 12 accumulators, enough to hide the 4-cycle FMA latency at one 512-bit FMA per
/// cycle (Zen 4) while leaving 8 loads per 12 FMAs. AVX2: the same tile as two 6×16 halves (12 ymm accumulators
/// of 16 registers). Otherwise scalar.
/// </summary>
static unsafe class SgemmKernel
{
    /// <summary>Rows of the register tile.</summary>
    public const int Mr = 6;

    /// <summary>Columns of the register tile and width of a packed B panel.</summary>
    public const int Nr = 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(float* a, nint lda, float* b, int kc, float* c, nint ldc, bool loadC, float* bias)
    {
        if (Vector512.IsHardwareAccelerated)
            Tile512(a, lda, b, kc, c, ldc, loadC, bias);
        else if (Vector256.IsHardwareAccelerated)
        {
            Tile256(a, lda, b, kc, c, ldc, loadC, bias);
            Tile256(a, lda, b + 16, kc, c + 16, ldc, loadC, bias == null ? null : bias + 16);
        }
        else
            TileScalar(a, lda, b, kc, c, ldc, loadC, bias);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile512(float* a, nint lda, float* b, int kc, float* c, nint ldc, bool loadC, float* bias)
    {
        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (loadC)
        {
            c00 = Vector512.Load(c); c01 = Vector512.Load(c + 16);
            c10 = Vector512.Load(c + ldc); c11 = Vector512.Load(c + ldc + 16);
            c20 = Vector512.Load(c + 2 * ldc); c21 = Vector512.Load(c + 2 * ldc + 16);
            c30 = Vector512.Load(c + 3 * ldc); c31 = Vector512.Load(c + 3 * ldc + 16);
            c40 = Vector512.Load(c + 4 * ldc); c41 = Vector512.Load(c + 4 * ldc + 16);
            c50 = Vector512.Load(c + 5 * ldc); c51 = Vector512.Load(c + 5 * ldc + 16);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector512<float>.Zero;
        }
        if (bias != null)
        {
            var b0 = Vector512.Load(bias);
            var b1 = Vector512.Load(bias + 16);
            c00 += b0; c01 += b1; c10 += b0; c11 += b1; c20 += b0; c21 += b1;
            c30 += b0; c31 += b1; c40 += b0; c41 += b1; c50 += b0; c51 += b1;
        }
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda;
        for (nint p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            b += Nr;
            var x = Vector512.Create(a0[p]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a1[p]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a2[p]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[p]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a4[p]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a5[p]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
        }
        c00.Store(c); c01.Store(c + 16);
        c10.Store(c + ldc); c11.Store(c + ldc + 16);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 16);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 16);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 16);
        c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 16);
    }

    /// <summary>Left 16 columns of the tile with 256-bit vectors; B keeps its Nr-float row stride.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile256(float* a, nint lda, float* b, int kc, float* c, nint ldc, bool loadC, float* bias)
    {
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (loadC)
        {
            c00 = Vector256.Load(c); c01 = Vector256.Load(c + 8);
            c10 = Vector256.Load(c + ldc); c11 = Vector256.Load(c + ldc + 8);
            c20 = Vector256.Load(c + 2 * ldc); c21 = Vector256.Load(c + 2 * ldc + 8);
            c30 = Vector256.Load(c + 3 * ldc); c31 = Vector256.Load(c + 3 * ldc + 8);
            c40 = Vector256.Load(c + 4 * ldc); c41 = Vector256.Load(c + 4 * ldc + 8);
            c50 = Vector256.Load(c + 5 * ldc); c51 = Vector256.Load(c + 5 * ldc + 8);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        }
        if (bias != null)
        {
            var b0 = Vector256.Load(bias);
            var b1 = Vector256.Load(bias + 8);
            c00 += b0; c01 += b1; c10 += b0; c11 += b1; c20 += b0; c21 += b1;
            c30 += b0; c31 += b1; c40 += b0; c41 += b1; c50 += b0; c51 += b1;
        }
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda;
        for (nint p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            b += Nr;
            var x = Vector256.Create(a0[p]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a1[p]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a2[p]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a3[p]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a4[p]);
            c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a5[p]);
            c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
        }
        c00.Store(c); c01.Store(c + 8);
        c10.Store(c + ldc); c11.Store(c + ldc + 8);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 8);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 8);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 8);
        c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 8);
    }

    static void TileScalar(float* a, nint lda, float* b, int kc, float* c, nint ldc, bool loadC, float* bias)
    {
        float* acc = stackalloc float[Nr];
        for (int r = 0; r < Mr; r++)
        {
            float* ar = a + r * lda;
            float* cr = c + r * ldc;
            for (int j = 0; j < Nr; j++)
                acc[j] = (loadC ? cr[j] : 0f) + (bias != null ? bias[j] : 0f);
            for (int p = 0; p < kc; p++)
            {
                float x = ar[p];
                float* bp = b + p * Nr;
                for (int j = 0; j < Nr; j++)
                    acc[j] += x * bp[j];
            }
            for (int j = 0; j < Nr; j++)
                cr[j] = acc[j];
        }
    }
}
