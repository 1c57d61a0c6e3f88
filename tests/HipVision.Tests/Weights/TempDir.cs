using System.Text;

namespace HipVision.Tests.Weights;

/// <summary>A fresh temporary folder per test, deleted afterwards, with helpers to write hand-made safetensors files.</summary>
sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("hv-weights-").FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <c>u64 LE length | header | data</c> exactly as given, so tests can build broken files.</summary>
    public string Raw(string name, string header, int dataBytes, ulong? declaredLength = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), declaredLength ?? (ulong)h.Length);
        h.CopyTo(bytes, 8);
        var path = File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
