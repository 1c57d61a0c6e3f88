using HipVision.Imaging;

namespace HipVision.Tests.Imaging;

/// <summary>
/// Float64 oracle for Pillow's convolution resize (Resample.c), written from the formula rather than the
/// fixed-point code: per axis, scale = in/out, fs = max(scale, 1) (antialiasing when reducing),
/// support = filterSupport·fs, window [trunc(c − support + 0.5), trunc(c + support + 0.5)) ∩ [0, in) around
/// c = (i + 0.5)·scale, weights filter((j − c + 0.5)/fs) normalised to sum 1; horizontal pass, round and clip
/// to uint8, then the vertical pass (each pass only when its size changes).
/// </summary>
static class PilResizeReference
{
    public static byte[] Resize(byte[] rgb, int inW, int inH, int outW, int outH, PilResample mode)
    {
        var buffer = rgb;
        int w = inW;
        if (outW != inW)
        {
            buffer = Pass(buffer, inW, inH, outW, mode, horizontal: true);
            w = outW;
        }
        if (outH != inH)
            buffer = Pass(buffer, w, inH, outH, mode, horizontal: false);
        return buffer;
    }

    static byte[] Pass(byte[] src, int w, int h, int outSize, PilResample mode, bool horizontal)
    {
        int inSize = horizontal ? w : h;
        int outW = horizontal ? outSize : w, outH = horizontal ? h : outSize;
        var dst = new byte[outW * outH * 3];
        double scale = (double)inSize / outSize, fs = Math.Max(scale, 1.0), support = Support(mode) * fs;
        for (int i = 0; i < outSize; i++)
        {
            double centre = (i + 0.5) * scale;
            int lo = Math.Max(0, (int)(centre - support + 0.5)), hi = Math.Min(inSize, (int)(centre + support + 0.5));
            var weights = Enumerable.Range(lo, hi - lo).Select(j => Kernel(mode, (j - centre + 0.5) / fs)).ToArray();
            double sum = weights.Sum();
            int lines = horizontal ? h : w;
            for (int line = 0; line < lines; line++)
                for (int c = 0; c < 3; c++)
                {
                    double acc = 0;
                    for (int j = lo; j < hi; j++)
                    {
                        int p = horizontal ? (line * w + j) * 3 + c : (j * w + line) * 3 + c;
                        acc += weights[j - lo] / sum * src[p];
                    }
                    int o = horizontal ? (line * outW + i) * 3 + c : (i * outW + line) * 3 + c;
                    dst[o] = (byte)Math.Clamp(Math.Floor(acc + 0.5), 0, 255);
                }
        }
        return dst;
    }

    static double Support(PilResample mode) => mode switch
    {
        PilResample.Box => 0.5,
        PilResample.Bilinear or PilResample.Hamming => 1,
        PilResample.Bicubic => 2,
        PilResample.Lanczos => 3,
        _ => throw new ArgumentException(mode.ToString()),
    };

    static double Kernel(PilResample mode, double x)
    {
        double t = Math.Abs(x);
        const double a = -0.5; // Keys cubic as Pillow uses it
        return mode switch
        {
            PilResample.Box => x > -0.5 && x <= 0.5 ? 1 : 0,
            PilResample.Bilinear => t < 1 ? 1 - t : 0,
            PilResample.Bicubic => t < 1 ? (a + 2) * t * t * t - (a + 3) * t * t + 1
                : t < 2 ? a * t * t * t - 5 * a * t * t + 8 * a * t - 4 * a : 0,
            PilResample.Hamming => t == 0 ? 1 : t >= 1 ? 0 : Sinc(t) * (0.54 + 0.46 * Math.Cos(Math.PI * t)),
            PilResample.Lanczos => x >= -3 && x < 3 ? Sinc(x) * Sinc(x / 3) : 0,
            _ => throw new ArgumentException(mode.ToString()),
        };
    }

    static double Sinc(double x) => x == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);
}
