using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// Channel-vectorised row kernels shared by the NHWC steps (GlobalAvgPoolNhwcStep, SqueezeExciteNhwcStep).
/// In NHWC a pixel's C channels are contiguous, so "rows" here are pixels: x[p, c] at x + p·C + c.
/// </summary>
internal static unsafe class NhwcRows
{
    /// <summary>
    /// acc[c] = Σ_{p &lt; rows} x[p·C + c] (acc overwritten). Channel blocks outermost: 4×Vector512 (64 channels) or
    /// 4×Vector256 (32) accumulators stay in registers over all rows, then single vectors, then a scalar tail.
    /// Callers keep rows·C near 64 KiB so the repeated passes over the rows hit L2.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sum(float* x, int rows, int channels, float* acc)
    {
        long stride = channels;
        int c = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; c + 64 <= channels; c += 64)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                float* p = x + c;
                for (int r = 0; r < rows; r++, p += stride)
                {
                    a0 += Vector512.Load(p);
                    a1 += Vector512.Load(p + 16);
                    a2 += Vector512.Load(p + 32);
                    a3 += Vector512.Load(p + 48);
                }
                a0.Store(acc + c); a1.Store(acc + c + 16); a2.Store(acc + c + 32); a3.Store(acc + c + 48);
            }
            for (; c + 16 <= channels; c += 16)
            {
                Vector512<float> a0 = default;
                float* p = x + c;
                for (int r = 0; r < rows; r++, p += stride) a0 += Vector512.Load(p);
                a0.Store(acc + c);
            }
        }
        for (; c + 32 <= channels; c += 32)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            float* p = x + c;
            for (int r = 0; r < rows; r++, p += stride)
            {
                a0 += Vector256.Load(p);
                a1 += Vector256.Load(p + 8);
                a2 += Vector256.Load(p + 16);
                a3 += Vector256.Load(p + 24);
            }
            a0.Store(acc + c); a1.Store(acc + c + 8); a2.Store(acc + c + 16); a3.Store(acc + c + 24);
        }
        for (; c + 8 <= channels; c += 8)
        {
            Vector256<float> a0 = default;
            float* p = x + c;
            for (int r = 0; r < rows; r++, p += stride) a0 += Vector256.Load(p);
            a0.Store(acc + c);
        }
        for (; c < channels; c++)
        {
            float s = 0f;
            float* p = x + c;
            for (int r = 0; r < rows; r++, p += stride) s += *p;
            acc[c] = s;
        }
    }

    /// <summary>y[p·C + c] = x[p·C + c]·e[c] for p &lt; rows (y may equal x); e stays in L1 across rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale(float* x, float* y, int rows, int channels, float* e)
    {
        for (int r = 0; r < rows; r++, x += channels, y += channels)
        {
            int c = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; c + 16 <= channels; c += 16)
                    (Vector512.Load(x + c) * Vector512.Load(e + c)).Store(y + c);
            for (; c + 8 <= channels; c += 8)
                (Vector256.Load(x + c) * Vector256.Load(e + c)).Store(y + c);
            for (; c < channels; c++)
                y[c] = x[c] * e[c];
        }
    }

    /// <summary>Pixels per parallel work item so that one item streams about <paramref name="minFloats"/> floats.</summary>
    public static int RowsPerItem(int channels, int rows, int minFloats) =>
        Math.Clamp((minFloats + channels - 1) / channels, 1, Math.Max(1, rows));
}
