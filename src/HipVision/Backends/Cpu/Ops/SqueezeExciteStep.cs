using System.Numerics.Tensors;
using HipVision.Graph;

namespace HipVision.Backends.Cpu.Ops;

/// <summary>
/// Squeeze-and-excitation, per image b of x [B, C, H, W]: s_c = mean_hw(x_c); r = act(W1·s + b1) (R values);
/// e = sigmoid(W2·r + b2) (C values); y_c = x_c·e_c. The two projections are tiny matrix-vector products.
/// </summary>
internal sealed unsafe class SqueezeExciteStep(string name, CpuTensor x, CpuTensor w1, CpuTensor b1, CpuTensor w2, CpuTensor b2, CpuTensor y, OpKind activation, int threads)
    : CpuStep(name, "SqueezeExcite")
{
    public override void Run()
    {
        int batch = x.Shape[0], c = x.Shape[1], plane = x.Shape[2] * x.Shape[3], r = w1.Shape[0];
        Span<float> squeezed = c <= 4096 ? stackalloc float[c] : new float[c];
        Span<float> reduced = r <= 4096 ? stackalloc float[r] : new float[r];
        Span<float> excite = c <= 4096 ? stackalloc float[c] : new float[c];
        for (int b = 0; b < batch; b++)
        {
            float* image = x.Pointer + (long)b * c * plane;
            for (int ch = 0; ch < c; ch++)
                squeezed[ch] = TensorPrimitives.Sum(new ReadOnlySpan<float>(image + (long)ch * plane, plane)) / plane;
            for (int i = 0; i < r; i++)
                reduced[i] = TensorPrimitives.Dot(new ReadOnlySpan<float>(w1.Pointer + (long)i * c, c), squeezed) + b1.Pointer[i];
            UnaryStep.Apply(activation, reduced, reduced);
            for (int ch = 0; ch < c; ch++)
                excite[ch] = TensorPrimitives.Dot(new ReadOnlySpan<float>(w2.Pointer + (long)ch * r, r), reduced) + b2.Pointer[ch];
            TensorPrimitives.Sigmoid(excite, excite);
            float* dst = y.Pointer + (long)b * c * plane;
            float[] e = excite.ToArray();
            CpuParallel.For(c >= 16 ? threads : 1, c, ch =>
                TensorPrimitives.Multiply(new ReadOnlySpan<float>(image + (long)ch * plane, plane), e[ch], new Span<float>(dst + (long)ch * plane, plane)));
        }
    }
}
