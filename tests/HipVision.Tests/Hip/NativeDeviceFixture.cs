using HipVision.Interop;

namespace HipVision.Tests.Hip;

/// <summary>
/// Base of the fixtures that call the C ABI through one <see cref="NativeDevice"/> per warp width (the derived fixture carries
/// <c>[TestFixtureSource(typeof(HipDevices), nameof(HipDevices.WarpSizes))]</c>): the device is opened once per fixture.
/// </summary>
public abstract class NativeDeviceFixture(int warpSize)
{
    /// <summary>The device every test of the fixture runs on (two emulator host threads: the CI machine's cores).</summary>
    private protected NativeDevice Device { get; private set; } = null!;

    /// <summary>The warp width, for messages.</summary>
    protected string On => $"warp {warpSize}";

    [OneTimeSetUp]
    public void Open() => Device = NativeDevice.Create(warpSize, hostThreads: 2);

    [OneTimeTearDown]
    public void Close() => Device.Dispose();
}
