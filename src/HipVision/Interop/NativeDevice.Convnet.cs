using HipVision.Graph;

namespace HipVision.Interop;

/// <summary>
/// The convnet ops of the C ABI (MobileNetV1, EfficientNet) and device preprocessing, each validated here before the one native
/// call so that a native <see cref="NativeStatus.InvalidArgument"/> means a HipVision bug. Activations between convolutions are
/// NHWC [B, H, W, C]; weights are PyTorch's [out, in/groups, kh, kw]; padding is explicit per side (<see cref="Padding2d"/>).
/// </summary>
internal sealed partial class NativeDevice
{
    /// <summary>hv_depthwise_conv2d's kernel limit per side.</summary>
    public const int MaxDepthwiseKernel = 13;

    /// <summary>hv_conv2d's limit on kernel_h·kernel_w.</summary>
    public const int MaxConvTaps = 256;

    /// <summary>hv_squeeze_excite's limits on the reduced and full channel counts.</summary>
    public const int MaxExciteReduced = 4096, MaxExciteChannels = 12288;

    /// <summary>hv_preprocess's limit on every image side (and on the crop offsets' magnitude).</summary>
    public const int MaxImageSide = 65535;

    /// <summary>Output size of a padded convolution along one axis, or throws when no output row fits.</summary>
    public static long ConvOutput(long input, long kernel, long stride, long padBefore, long padAfter, string name)
    {
        long padded = input + padBefore + padAfter;
        if (padded < kernel) throw new ArgumentException($"kernel {kernel} exceeds the padded {name} {padded} (no output)", name);
        return (padded - kernel) / stride + 1;
    }

    /// <summary>
    /// Depthwise conv (groups = channels), bias and activation fused: x [B, H, W, C] → y [B, oh, ow, C]; weight [C, 1, kh, kw];
    /// out-of-image taps read 0.
    /// </summary>
    public void DepthwiseConv2d(NativeBuffer x, NativeBuffer weight, NativeBuffer? bias, NativeBuffer y, long batch, long height, long width,
        long channels, long kernelH, long kernelW, long strideH, long strideW, Padding2d padding, NativeActivation activation = NativeActivation.None)
    {
        Extent(batch, nameof(batch)); Extent(height, nameof(height), min: 1); Extent(width, nameof(width), min: 1); Extent(channels, nameof(channels));
        Extent(kernelH, nameof(kernelH), min: 1, max: MaxDepthwiseKernel); Extent(kernelW, nameof(kernelW), min: 1, max: MaxDepthwiseKernel);
        Extent(strideH, nameof(strideH), min: 1); Extent(strideW, nameof(strideW), min: 1);
        CheckPadding(padding);
        CheckActivation(activation);
        long oh = ConvOutput(height, kernelH, strideH, padding.Top, padding.Bottom, nameof(height));
        long ow = ConvOutput(width, kernelW, strideW, padding.Left, padding.Right, nameof(width));
        RequireBuffer(x, batch * height * width * channels, nameof(x));
        RequireBuffer(weight, channels * kernelH * kernelW, nameof(weight));
        RequireOptional(bias, channels, nameof(bias));
        RequireBuffer(y, batch * oh * ow * channels, nameof(y));
        Distinct(y, nameof(y), x, weight, bias);
        OneType("hv_depthwise_conv2d", "x, weight, bias, y", x, weight, bias, y);
        Native.Check(NativeMethods.hv_depthwise_conv2d(Handle, x.Handle, weight.Handle, Optional(bias), y.Handle, batch, height, width, channels,
            kernelH, kernelW, strideH, strideW, PaddingOf(padding), activation));
    }

    /// <summary>
    /// Dense conv (groups = 1), bias and activation fused: x NCHW [B, Ci, H, W] or NHWC [B, H, W, Ci] per <paramref name="xLayout"/>
    /// → y NHWC [B, oh, ow, Co]; weight [Co, Ci, kh, kw].
    /// </summary>
    public void Conv2d(NativeBuffer x, NativeBuffer weight, NativeBuffer? bias, NativeBuffer y, long batch, long inChannels, long height, long width,
        long outChannels, long kernelH, long kernelW, long strideH, long strideW, Padding2d padding, NativeLayout xLayout,
        NativeActivation activation = NativeActivation.None)
    {
        var (oh, ow) = CheckConv(batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padding, xLayout);
        CheckActivation(activation);
        RequireBuffer(x, batch * inChannels * height * width, nameof(x));
        RequireBuffer(weight, outChannels * inChannels * kernelH * kernelW, nameof(weight));
        RequireOptional(bias, outChannels, nameof(bias));
        RequireBuffer(y, batch * oh * ow * outChannels, nameof(y));
        Distinct(y, nameof(y), x, weight, bias);
        OneType("hv_conv2d", "x, weight, bias, y", x, weight, bias, y);
        Native.Check(NativeMethods.hv_conv2d(Handle, x.Handle, weight.Handle, Optional(bias), y.Handle, batch, inChannels, height, width,
            outChannels, kernelH, kernelW, strideH, strideW, PaddingOf(padding), xLayout, activation));
    }

    /// <summary>The shape checks of <see cref="Conv2d"/> and <see cref="Conv2dPrepare"/>; returns the output height and width.</summary>
    static (long Oh, long Ow) CheckConv(long batch, long inChannels, long height, long width, long outChannels, long kernelH, long kernelW,
        long strideH, long strideW, Padding2d padding, NativeLayout xLayout)
    {
        Extent(batch, nameof(batch)); Extent(inChannels, nameof(inChannels), min: 1); Extent(height, nameof(height), min: 1);
        Extent(width, nameof(width), min: 1); Extent(outChannels, nameof(outChannels), min: 1);
        Extent(kernelH, nameof(kernelH), min: 1, max: MaxConvTaps); Extent(kernelW, nameof(kernelW), min: 1, max: MaxConvTaps);
        if (kernelH * kernelW > MaxConvTaps) throw new ArgumentOutOfRangeException(nameof(kernelW), $"kernel {kernelH}x{kernelW} exceeds {MaxConvTaps} taps");
        Extent(strideH, nameof(strideH), min: 1); Extent(strideW, nameof(strideW), min: 1);
        CheckPadding(padding);
        if (!Enum.IsDefined(xLayout)) throw new ArgumentOutOfRangeException(nameof(xLayout), xLayout, "unknown layout");
        return (ConvOutput(height, kernelH, strideH, padding.Top, padding.Bottom, nameof(height)),
                ConvOutput(width, kernelW, strideW, padding.Left, padding.Right, nameof(width)));
    }

    /// <summary>
    /// Chooses, once and before any run, what <see cref="Conv2d"/> runs for this shape (hv_conv2d_prepare): the vendor library's
    /// find step, or its earlier result from the tuning cache, or the direct kernel. Same shape arguments as <see cref="Conv2d"/>.
    /// </summary>
    public NativeTuning Conv2dPrepare(long batch, long inChannels, long height, long width, long outChannels, long kernelH, long kernelW,
        long strideH, long strideW, Padding2d padding, NativeLayout xLayout)
    {
        CheckConv(batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padding, xLayout);
        Native.Check(NativeMethods.hv_conv2d_prepare(Handle, batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW,
            PaddingOf(padding), xLayout, out var tuning));
        return tuning;
    }

    /// <summary>What each prepared convolution runs (algorithm, measured time, from cache or tuned now, or why the direct kernel), then the tuning cache's warnings.</summary>
    public string TuningReport
    {
        get
        {
            Native.Check(NativeMethods.hv_context_tuning_report(Handle, out nint text));
            return System.Runtime.InteropServices.Marshal.PtrToStringUTF8(text) ?? "";
        }
    }

    /// <summary>
    /// Inference BatchNorm with an activation fused: y = act((x − mean[c])/√(var[c] + eps)·gamma[c] + beta[c]) over x [B, C, S]
    /// (NCHW, S = H·W) or [B, S, C] (NHWC) per <paramref name="layout"/>; gamma/beta null are 1 and 0; y may be x.
    /// </summary>
    public void BatchNorm(NativeBuffer x, NativeBuffer mean, NativeBuffer variance, NativeBuffer? gamma, NativeBuffer? beta, NativeBuffer y,
        long batch, long channels, long spatial, NativeLayout layout, float eps, NativeActivation activation = NativeActivation.None)
    {
        Extent(batch, nameof(batch)); Extent(channels, nameof(channels), min: 1); Extent(spatial, nameof(spatial));
        if (!Enum.IsDefined(layout)) throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown layout");
        if (!float.IsFinite(eps) || eps < 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "must be finite and >= 0");
        CheckActivation(activation);
        long n = batch * channels * spatial;
        RequireBuffer(x, n, nameof(x));
        RequireBuffer(mean, channels, nameof(mean));
        RequireBuffer(variance, channels, nameof(variance));
        RequireOptional(gamma, channels, nameof(gamma));
        RequireOptional(beta, channels, nameof(beta));
        RequireBuffer(y, n, nameof(y));
        Distinct(y, nameof(y), mean, variance, gamma, beta);
        OneType("hv_batch_norm", "x, mean, variance, gamma, beta, y", x, mean, variance, gamma, beta, y);
        Native.Check(NativeMethods.hv_batch_norm(Handle, x.Handle, mean.Handle, variance.Handle, Optional(gamma), Optional(beta), y.Handle,
            batch, channels, spatial, layout, eps, activation));
    }

    /// <summary>y[b, c] = mean over h, w of x[b, h, w, c] (NHWC).</summary>
    public void GlobalAvgPool(NativeBuffer x, NativeBuffer y, long batch, long height, long width, long channels)
    {
        Extent(batch, nameof(batch)); Extent(height, nameof(height), min: 1); Extent(width, nameof(width), min: 1); Extent(channels, nameof(channels));
        RequireBuffer(x, batch * height * width * channels, nameof(x));
        RequireBuffer(y, batch * channels, nameof(y));
        Distinct(y, nameof(y), x);
        OneType("hv_global_avg_pool", "x, y", x, y);
        Native.Check(NativeMethods.hv_global_avg_pool(Handle, x.Handle, y.Handle, batch, height, width, channels));
    }

    /// <summary>Bytes of scratch <see cref="SqueezeExcite"/> needs for these shapes (hv_squeeze_excite_workspace_size; untyped, any precision).</summary>
    public static long SqueezeExciteWorkspaceBytes(long batch, long height, long width, long channels, long reduced)
    {
        CheckExcite(batch, height, width, channels, reduced);
        NativeLibraryResolver.EnsureLoaded();
        Native.Check(NativeMethods.hv_squeeze_excite_workspace_size(batch, height, width, channels, reduced, out nuint bytes));
        return (long)bytes;
    }

    /// <summary>
    /// Squeeze-and-excitation on NHWC x [B, H, W, C]: y = x·sigmoid(W_e·act(W_r·mean_hw(x) + b_r) + b_e) per channel, W_r [R, C],
    /// W_e [C, R]; act SiLU or ReLU. <paramref name="workspace"/> holds <see cref="SqueezeExciteWorkspaceBytes"/> (of any type); y may be x.
    /// </summary>
    public void SqueezeExcite(NativeBuffer x, NativeBuffer wReduce, NativeBuffer? bReduce, NativeBuffer wExpand, NativeBuffer? bExpand,
        NativeBuffer workspace, NativeBuffer y, long batch, long height, long width, long channels, long reduced, NativeActivation activation)
    {
        CheckExcite(batch, height, width, channels, reduced);
        if (activation is not (NativeActivation.Silu or NativeActivation.Relu))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "must be Silu or Relu");
        long need = SqueezeExciteWorkspaceBytes(batch, height, width, channels, reduced);
        long n = batch * height * width * channels;
        RequireBuffer(x, n, nameof(x));
        RequireBuffer(wReduce, reduced * channels, nameof(wReduce));
        RequireOptional(bReduce, reduced, nameof(bReduce));
        RequireBuffer(wExpand, channels * reduced, nameof(wExpand));
        RequireOptional(bExpand, channels, nameof(bExpand));
        RequireBuffer(workspace, 0, nameof(workspace));
        if (workspace.Bytes < need) throw new ArgumentException($"workspace holds {workspace.Bytes} bytes, needs {need}", nameof(workspace));
        RequireBuffer(y, n, nameof(y));
        Distinct(workspace, nameof(workspace), x, y, wReduce, bReduce, wExpand, bExpand);
        Distinct(y, nameof(y), wReduce, bReduce, wExpand, bExpand);
        OneType("hv_squeeze_excite", "x, wReduce, bReduce, wExpand, bExpand, y", x, wReduce, bReduce, wExpand, bExpand, y);
        Native.Check(NativeMethods.hv_squeeze_excite(Handle, x.Handle, wReduce.Handle, Optional(bReduce), wExpand.Handle, Optional(bExpand),
            workspace.Handle, y.Handle, batch, height, width, channels, reduced, activation));
    }

    /// <summary>
    /// One image's HF preprocessing (PIL resize, center crop, rescale/normalize through <paramref name="table"/>, layout) into image slot
    /// <paramref name="index"/> of y [N, 3, outH, outW] (NCHW) or [N, outH, outW, 3] (NHWC). <paramref name="image"/> holds the uint8
    /// RGB bytes [height, width, 3] (<see cref="NativeBuffer.UploadBytes"/>); <paramref name="table"/> is 768 floats, value = table[c·256 + byte].
    /// </summary>
    public unsafe void Preprocess(NativeBuffer image, ReadOnlySpan<float> table, NativeBuffer y, long height, long width, long resizeH, long resizeW,
        long cropTop, long cropLeft, long outH, long outW, long index, Imaging.PilResample resample, NativeLayout layout)
    {
        Extent(height, nameof(height), min: 1, max: MaxImageSide); Extent(width, nameof(width), min: 1, max: MaxImageSide);
        Extent(resizeH, nameof(resizeH), min: 1, max: MaxImageSide); Extent(resizeW, nameof(resizeW), min: 1, max: MaxImageSide);
        Extent(cropTop, nameof(cropTop), min: -MaxImageSide, max: MaxImageSide); Extent(cropLeft, nameof(cropLeft), min: -MaxImageSide, max: MaxImageSide);
        Extent(outH, nameof(outH), min: 1, max: MaxImageSide); Extent(outW, nameof(outW), min: 1, max: MaxImageSide); Extent(index, nameof(index));
        if (!Enum.IsDefined(resample)) throw new ArgumentOutOfRangeException(nameof(resample), resample, "unknown filter");
        if (!Enum.IsDefined(layout)) throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown layout");
        if (table.Length != 3 * 256) throw new ArgumentException($"table holds {table.Length} floats, needs 768", nameof(table));
        RequireBuffer(image, (height * width * 3 + sizeof(float) - 1) / sizeof(float), nameof(image));
        RequireBuffer(y, (index + 1) * 3 * outH * outW, nameof(y));
        Distinct(y, nameof(y), image);   // the image is bytes whatever its buffer's type; y is written in y's type
        fixed (float* t = table)
            Native.Check(NativeMethods.hv_preprocess(Handle, image.Handle, t, y.Handle, height, width, resizeH, resizeW, cropTop, cropLeft,
                outH, outW, index, resample, layout));
    }

    static void CheckExcite(long batch, long height, long width, long channels, long reduced)
    {
        Extent(batch, nameof(batch)); Extent(height, nameof(height), min: 1); Extent(width, nameof(width), min: 1);
        Extent(channels, nameof(channels), min: 1, max: MaxExciteChannels); Extent(reduced, nameof(reduced), min: 1, max: MaxExciteReduced);
    }

    static void CheckPadding(Padding2d p)
    {
        if (p.Top < 0 || p.Bottom < 0 || p.Left < 0 || p.Right < 0) throw new ArgumentOutOfRangeException(nameof(p), p, "padding must be >= 0 on every side");
    }

    static void CheckActivation(NativeActivation activation)
    {
        if (!Enum.IsDefined(activation)) throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
    }

    static NativeMethods.hv_padding PaddingOf(Padding2d p) => new() { top = p.Top, bottom = p.Bottom, left = p.Left, right = p.Right };
}
