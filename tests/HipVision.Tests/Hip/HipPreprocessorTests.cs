using HipVision.Backends.Hip;
using HipVision.Imaging;
using HipVision.Interop;
using HipVision.Tests.Imaging;

namespace HipVision.Tests.Hip;

/// <summary>
/// Device preprocessing (<c>hv_preprocess</c> through <see cref="HipPreprocessor"/>) against the CPU <see cref="ImageProcessor"/> on
/// the fixture images with the four HF processors: bit-equal with NEAREST (EfficientNet), within 1e-6 otherwise, in image slots of
/// a batch tensor, NCHW and NHWC.
/// </summary>
[TestFixtureSource(typeof(HipDevices), nameof(HipDevices.WarpSizes))]
public class HipPreprocessorTests(int warpSize) : NativeDeviceFixture(warpSize)
{
    static IEnumerable<TestCaseData> Cases() =>
        from proc in ImagingFixtures.Processors select new TestCaseData(proc).SetArgDisplayNames(proc);

    [TestCaseSource(nameof(Cases))]
    public void Preprocess_fixtureImages_equalCpuPreprocessing(string proc)
    {
        var processor = new ImageProcessor(ImagingFixtures.Preset(proc));
        var device = new HipPreprocessor(Device, processor);
        var stems = ImagingFixtures.Stems;
        int plane = processor.OutputHeight * processor.OutputWidth;
        using var batch = Device.Allocate(stems.Length * 3L * plane);
        using var nhwc = Device.Allocate(3L * plane);
        double atol = processor.Config.Resample == PilResample.Nearest ? 0 : 1e-6;
        var images = stems.Select(ImagingFixtures.LoadImageReference).ToArray();
        for (int i = 0; i < images.Length; i++) device.Preprocess(images[i], batch, i);
        var got = batch.Download();
        for (int i = 0; i < images.Length; i++)
        {
            string what = $"{stems[i]}/{proc} ({processor.Config.Resample}) slot {i} {On}";
            var want = processor.Preprocess(images[i]);
            ImagingFixtures.AssertClose(want, got[(i * 3 * plane)..((i + 1) * 3 * plane)], atol, what);
            if (i == 0)
            {
                device.Preprocess(images[i], nhwc, 0, NativeLayout.Nhwc);
                var channelsLast = nhwc.Download();
                var asChw = new float[3 * plane];
                for (int p = 0; p < plane; p++)
                    for (int c = 0; c < 3; c++) asChw[c * plane + p] = channelsLast[p * 3 + c];
                ImagingFixtures.AssertClose(want, asChw, atol, what + " NHWC");
            }
        }
    }
}
