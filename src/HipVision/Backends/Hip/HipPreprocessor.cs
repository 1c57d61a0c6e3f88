using HipVision.Imaging;
using HipVision.Interop;

namespace HipVision.Backends.Hip;

/// <summary>
/// An <see cref="ImageProcessor"/>'s pipeline on the device through <c>hv_preprocess</c>: the uint8 image is uploaded, resized
/// with Pillow's arithmetic, cropped and mapped through the processor's own byte → float table into one image slot of a device
/// batch tensor, so the pixels never exist as floats on the host. Same geometry and table as the CPU path
/// (<see cref="ImageProcessor.PlanFor"/>, <see cref="ImageProcessor.LookupTable"/>), so the results agree: bit for bit with
/// NEAREST, within float rounding of the resampling otherwise.
/// </summary>
internal sealed class HipPreprocessor(NativeDevice device, ImageProcessor processor)
{
    readonly float[] _table = processor.LookupTable();

    /// <summary>Writes <paramref name="image"/> into slot <paramref name="index"/> of <paramref name="y"/> ([N, 3, H, W] or [N, H, W, 3]).</summary>
    public void Preprocess(RgbImage image, NativeBuffer y, int index, NativeLayout layout = NativeLayout.Nchw)
    {
        ArgumentNullException.ThrowIfNull(image);
        var p = processor.PlanFor(image.Width, image.Height);
        // Without do_resize the "resize" is to the image's own size, which Pillow (and hv_preprocess) leave untouched.
        var resample = processor.Config.Resample;
        using var bytes = device.Allocate((image.Pixels.Length + sizeof(float) - 1) / sizeof(float));
        bytes.UploadBytes(image.Pixels);
        device.Preprocess(bytes, _table, y, image.Height, image.Width, p.ResizeH, p.ResizeW, p.Top, p.Left, p.OutH, p.OutW, index, resample, layout);
    }
}
