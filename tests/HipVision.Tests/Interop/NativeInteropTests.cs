using HipVision.Interop;

namespace HipVision.Tests.Interop;

/// <summary>The interop contract: handle lifetimes, the native message reaching the exception, arguments checked in C# first.</summary>
public class NativeInteropTests
{
    [Test]
    public void Backend_testBuild_isEmulator() => Assert.That(NativeDevice.Backend, Is.EqualTo("emulator"));

    [Test]
    public void Dispose_twice_isHarmless()
    {
        var device = NativeDevice.Create(64);
        var buffer = device.Allocate(16);
        device.Dispose();   // the context first: a buffer keeps its device alive natively
        device.Dispose();
        buffer.Upload(new float[16]);
        buffer.Dispose();
        buffer.Dispose();
    }

    [Test]
    public void View_aliasesItsRangeAndOutlivesTheParent()
    {
        using var device = NativeDevice.Create(64);
        var arena = device.Allocate(256);
        var values = Enumerable.Range(0, 256).Select(i => (float)i).ToArray();
        arena.Upload(values);
        using var view = arena.View(64, 100);
        Assert.That(view.Length, Is.EqualTo(100));
        Assert.That(view.Download(), Is.EqualTo(values.Skip(64).Take(100)));
        view.Upload([-1f, -2f], offset: 10);
        Assert.That(arena.Download().Skip(74).Take(2), Is.EqualTo(new[] { -1f, -2f }), "a write through the view lands in the arena");
        arena.Dispose();
        Assert.That(view.Download()[0], Is.EqualTo(64f), "the view keeps the allocation alive");
        var e = Assert.Throws<HipVisionException>(() => view.View(10, 4))!;
        Assert.That(e.Message, Does.Contain("hv_buffer_view").And.Contain("multiple of 256"));
        Assert.Throws<ArgumentOutOfRangeException>(() => view.View(64, 64));
    }

    [Test]
    public void Capture_replaysTheRecordedOpsOnNewContents_andRefusesCopiesInside()
    {
        using var device = NativeDevice.Create(32);
        using var x = device.Upload([1f, 2f, 3f, 4f]);
        using var y = device.Allocate(4);
        using var graph = device.Capture(() => device.LayerNorm(x, null, null, y, 1, 4, 1e-5f));
        Assert.That(graph.LaunchCount, Is.EqualTo(1));
        x.Upload([4f, 3f, 2f, 1f]);
        graph.Launch();
        var replayed = y.Download();
        device.LayerNorm(x, null, null, y, 1, 4, 1e-5f);
        Assert.That(replayed, Is.EqualTo(y.Download()), "a replay reads the buffer's contents at replay time");

        var e = Assert.Throws<HipVisionException>(() => device.Capture(() => x.Upload([0f, 0f, 0f, 0f])))!;
        Assert.That(e.Message, Does.Contain("hv_buffer_upload").And.Contain("capturing"));
        e = Assert.Throws<HipVisionException>(() => device.Capture(device.Synchronize))!;
        Assert.That(e.Message, Does.Contain("hv_context_synchronize"));
        e = Assert.Throws<HipVisionException>(() => device.Capture(() => device.Capture(() => { })))!;
        Assert.That(e.Message, Does.Contain("hv_graph_begin").And.Contain("already capturing"));
        device.Synchronize();   // every failed capture was ended: the context works again
        graph.Dispose();
        Assert.Throws<ObjectDisposedException>(graph.Launch);
    }

    [Test]
    public void UseAfterDispose_throwsObjectDisposed()
    {
        var device = NativeDevice.Create(32);
        var x = device.Allocate(8);
        var y = device.Allocate(8);
        x.Dispose();
        Assert.Throws<ObjectDisposedException>(() => x.Upload(new float[8]));
        Assert.Throws<ObjectDisposedException>(() => x.Download());
        Assert.Throws<ObjectDisposedException>(() => device.LayerNorm(x, null, null, y, 1, 8, 1e-5f));
        device.Dispose();
        Assert.Throws<ObjectDisposedException>(() => device.Allocate(4));
        Assert.Throws<ObjectDisposedException>(() => device.Synchronize());
        Assert.Throws<ObjectDisposedException>(() => device.LayerNorm(y, null, null, y, 1, 8, 1e-5f));
        y.Dispose();
    }

    [Test]
    public void BadNativeCall_bufferTooSmall_exceptionCarriesNativeMessageAndStatus()
    {
        using var device = NativeDevice.Create(64);
        using var x = device.Allocate(16);
        using var y = device.Allocate(4);
        // Straight to the ABI, past the wrapper's own checks, to see the native error contract end to end.
        var e = Assert.Throws<HipVisionException>(() => Native.Check(NativeMethods.hv_layer_norm(
            device.Handle, x.Handle, BufferHandle.Null, BufferHandle.Null, y.Handle, 1, 16, 1e-5f)));
        Assert.That(e!.Status, Is.EqualTo(NativeStatus.InvalidArgument));
        Assert.That(e.Message, Is.EqualTo("hv_layer_norm: y holds 16 bytes, needs 64"));
        Assert.That(Native.StatusName(e.Status!.Value), Is.EqualTo("HV_ERROR_INVALID_ARGUMENT"));
    }

    [Test]
    public void BadNativeCall_rangeOutsideBuffer_namesTheFunction()
    {
        using var device = NativeDevice.Create(64);
        using var b = device.Allocate(4);
        var e = Assert.Throws<HipVisionException>(() => Native.Check(ByteUpload(b, 8, 16)));
        Assert.That(e!.Message, Does.StartWith("hv_buffer_upload:").And.Contain("exceeds the buffer's 16 bytes"));
    }

    static unsafe NativeStatus ByteUpload(NativeBuffer b, int offset, int bytes)
    {
        var data = new byte[bytes];
        fixed (byte* p = data) return NativeMethods.hv_buffer_upload(b.Handle, (nuint)offset, p, (nuint)bytes);
    }

    [Test]
    public void Wrapper_bufferTooSmall_rejectedInCSharpBeforeTheNativeCall()
    {
        using var device = NativeDevice.Create(64);
        using var x = device.Allocate(16);
        using var y = device.Allocate(4);
        var e = Assert.Throws<ArgumentException>(() => device.LayerNorm(x, null, null, y, 1, 16, 1e-5f));
        Assert.That(e!.ParamName, Is.EqualTo("y"));
        Assert.That(e.Message, Does.Contain("y holds 4 elements, needs 16"));
        Assert.Throws<ArgumentOutOfRangeException>(() => device.LayerNorm(x, null, null, x, 1, 16, float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => NativeDevice.Create(warpSize: 48));
    }

    [Test]
    public void Wrapper_bufferOfAnotherDevice_rejected()
    {
        using var a = NativeDevice.Create(64);
        using var b = NativeDevice.Create(64);
        using var x = a.Allocate(8);
        using var y = b.Allocate(8);
        var e = Assert.Throws<ArgumentException>(() => a.LayerNorm(x, null, null, y, 1, 8, 1e-5f));
        Assert.That(e!.Message, Does.Contain("y belongs to another NativeDevice"));
    }
}
