using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using HipVision.Weights;

namespace HipVision.Conversion;

/// <summary>
/// float32 tensors written as F32, F16 or BF16 little-endian bytes, a chunk at a time (never a second copy of a
/// model). Both narrowings round to nearest even (<see cref="Precisions"/>); a finite value that would become infinite is refused.
/// </summary>
internal static class Float32Narrowing
{
    const int ChunkElements = 1 << 16;

    /// <summary>Writes <paramref name="data"/> as <paramref name="dtype"/>; <paramref name="where"/> starts the message of a value out of range.</summary>
    /// <exception cref="HipVisionException">A finite value beyond the dtype's range (F16: |x| &gt; 65504, rounded).</exception>
    public static void Write(Stream stream, float[] data, SafeTensorDtype dtype, string where)
    {
        if (dtype == SafeTensorDtype.F32)
        {
            stream.Write(MemoryMarshal.AsBytes(data.AsSpan())); // every .NET target is little-endian, like the file
            return;
        }
        if (dtype is not (SafeTensorDtype.F16 or SafeTensorDtype.BF16))
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "fp32 narrows only to F16 or BF16");
        var buffer = ArrayPool<byte>.Shared.Rent(2 * ChunkElements);
        try
        {
            for (int start = 0; start < data.Length; start += ChunkElements)
            {
                var src = data.AsSpan(start, Math.Min(ChunkElements, data.Length - start));
                var dst = buffer.AsSpan(0, 2 * src.Length);
                for (int i = 0; i < src.Length; i++)
                {
                    ushort bits = dtype == SafeTensorDtype.F16 ? Precisions.ToFp16Bits(src[i]) : Precisions.ToBf16Bits(src[i]);
                    if (float.IsFinite(src[i]) && (bits & 0x7FFF) == (dtype == SafeTensorDtype.F16 ? 0x7C00 : 0x7F80))
                        throw new HipVisionException(
                            $"{where} holds {src[i]:G9} at index {start + i}, beyond the range of {dtype.HeaderName()}; convert with a wider --precision (bf16 or fp32)");
                    BinaryPrimitives.WriteUInt16LittleEndian(dst[(2 * i)..], bits);
                }
                stream.Write(dst);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
