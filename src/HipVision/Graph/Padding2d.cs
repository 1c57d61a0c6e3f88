namespace HipVision.Graph;

/// <summary>Zero padding on each side of a 2-D convolution's input.</summary>
public readonly record struct Padding2d(int Top, int Bottom, int Left, int Right)
{
    /// <summary>The same padding p on all four sides (PyTorch's padding=p).</summary>
    public static Padding2d Symmetric(int p) => new(p, p, p, p);

    /// <summary>
    /// TensorFlow "SAME" padding for one input size: output = ceil(in / stride); the total padding
    /// max((out − 1)·stride + (k − 1)·dilation + 1 − in, 0) is split with the extra pixel at the bottom/right.
    /// </summary>
    public static Padding2d TensorFlowSame(int inH, int inW, int kernelH, int kernelW, int strideH, int strideW, int dilationH = 1, int dilationW = 1)
    {
        static (int, int) Split(int input, int k, int s, int d)
        {
            int output = (input + s - 1) / s;
            int total = Math.Max((output - 1) * s + (k - 1) * d + 1 - input, 0);
            return (total / 2, total - total / 2);
        }
        var (top, bottom) = Split(inH, kernelH, strideH, dilationH);
        var (left, right) = Split(inW, kernelW, strideW, dilationW);
        return new Padding2d(top, bottom, left, right);
    }
}
