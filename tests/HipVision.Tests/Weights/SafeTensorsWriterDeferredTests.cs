using HipVision.Weights;

namespace HipVision.Tests.Weights;

/// <summary>Tensors whose bytes are written with the file: the same file as from bytes, and a wrong count fails cleanly.</summary>
public class SafeTensorsWriterDeferredTests
{
    [Test]
    public void Write_deferredTensor_sameFileAsFromBytes()
    {
        using var tmp = new TempDir();
        var data = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        new SafeTensorsWriter().Add("a", SafeTensorDtype.F32, [2], data).Write(tmp.File("bytes.safetensors"));
        new SafeTensorsWriter().Add("a", SafeTensorDtype.F32, [2], data.Length, s => s.Write(data)).Write(tmp.File("deferred.safetensors"));
        Assert.That(File.ReadAllBytes(tmp.File("deferred.safetensors")), Is.EqualTo(File.ReadAllBytes(tmp.File("bytes.safetensors"))));
    }

    [Test]
    public void Write_deferredTensorWritesTooFewBytes_failsAndLeavesNothing()
    {
        using var tmp = new TempDir();
        var path = tmp.File("short.safetensors");
        var writer = new SafeTensorsWriter().Add("a", SafeTensorDtype.F32, [2], 8, s => s.Write(new byte[4]));
        var e = Assert.Throws<InvalidOperationException>(() => writer.Write(path));
        Assert.That(e!.Message, Is.EqualTo("tensor 'a': wrote 4 bytes, the header says 8"));
        Assert.That(Directory.GetFiles(tmp.Path), Is.Empty);
    }
}
