using HipVision.Interop;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Interop;

/// <summary>
/// hv_layer_norm and hv_add_layer_norm through <see cref="NativeDevice"/> on the emulator library (built by the
/// test project through CMake), against the float64 reference at warp 32 (NVIDIA, RDNA) and 64 (AMD CDNA), for
/// a degenerate, two odd and one real shape. Tolerance: reductions, 1e-5 abs + 1e-4 rel.
/// </summary>
public class NativeLayerNormTests
{
    static readonly object[] Cases =
    [
        new object[] { 32, 1, 1 }, new object[] { 32, 7, 33 }, new object[] { 32, 197, 768 }, new object[] { 32, 3, 1025 },
        new object[] { 64, 1, 1 }, new object[] { 64, 7, 33 }, new object[] { 64, 197, 768 }, new object[] { 64, 3, 1025 },
    ];

    const float Eps = 1e-5f;

    [TestCaseSource(nameof(Cases))]
    public void LayerNorm_emulator_matchesReference(int warpSize, int rows, int cols)
    {
        string what = $"hv_layer_norm {rows}x{cols} warp {warpSize}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform((long)rows * cols, -3, 3);
        var gamma = rng.Uniform(cols, 0.5, 1.5);
        var beta = rng.Uniform(cols);

        using var device = NativeDevice.Create(warpSize);
        Assert.That(device.WarpSize, Is.EqualTo(warpSize));
        using var bx = device.Upload(x);
        using var bg = device.Upload(gamma);
        using var bb = device.Upload(beta);
        using var by = device.Allocate(x.Length);
        device.LayerNorm(bx, bg, bb, by, rows, cols, Eps);

        var want = RefOps.LayerNorm(RefOps.D(x), cols, RefOps.D(gamma), RefOps.D(beta), Eps);
        TensorAssert.Close(by.Download(), want, 1e-5, 1e-4, what);
    }

    [TestCaseSource(nameof(Cases))]
    public void AddLayerNorm_emulator_matchesReference(int warpSize, int rows, int cols)
    {
        string what = $"hv_add_layer_norm {rows}x{cols} warp {warpSize}";
        var rng = TestRandom.Create(what);
        var x = rng.Uniform((long)rows * cols, -3, 3);
        var residual = rng.Uniform((long)rows * cols, -3, 3);
        var gamma = rng.Uniform(cols, 0.5, 1.5);
        var beta = rng.Uniform(cols);

        using var device = NativeDevice.Create(warpSize);
        using var bx = device.Upload(x);
        using var br = device.Upload(residual);
        using var bg = device.Upload(gamma);
        using var bb = device.Upload(beta);
        using var bs = device.Allocate(x.Length);
        using var by = device.Allocate(x.Length);
        device.AddLayerNorm(bx, br, bg, bb, bs, by, rows, cols, Eps);

        var s = new double[x.Length];
        for (int i = 0; i < s.Length; i++) s[i] = (double)x[i] + residual[i];
        TensorAssert.Close(bs.Download(), s, 1e-6, 1e-5, what + " sum");
        var want = RefOps.LayerNorm(s, cols, RefOps.D(gamma), RefOps.D(beta), Eps);
        TensorAssert.Close(by.Download(), want, 1e-5, 1e-4, what + " y");
    }

    [Test]
    public void LayerNorm_inPlaceWithoutAffine_matchesReference()
    {
        const int rows = 5, cols = 65;
        var rng = TestRandom.Create($"hv_layer_norm in place, no gamma/beta, {rows}x{cols}");
        var x = rng.Uniform(rows * cols, -2, 2);
        using var device = NativeDevice.Create(32);
        using var bx = device.Upload(x);
        device.LayerNorm(bx, null, null, bx, rows, cols, 1e-12f);
        var want = RefOps.LayerNorm(RefOps.D(x), cols, Enumerable.Repeat(1.0, cols).ToArray(), new double[cols], 1e-12);
        TensorAssert.Close(bx.Download(), want, 1e-5, 1e-4, "in-place layer norm");
    }
}
