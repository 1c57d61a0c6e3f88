using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace HipVision.Weights;

/// <summary>Little-endian tensor bytes to float32, shared by every weight source that reads a file.</summary>
internal static class Float32Conversion
{
    /// <summary>
    /// Converts C-order little-endian elements of a floating-point dtype. F64 rounds to nearest; F16 and BF16
    /// convert exactly; F32 is a byte copy.
    /// </summary>
    public static float[] ToFloat32(ReadOnlySpan<byte> bytes, SafeTensorDtype dtype)
    {
        var result = new float[bytes.Length / dtype.Size()];
        switch (dtype)
        {
            case SafeTensorDtype.F32:
                // A byte copy, not a reinterpreting cast: the bytes need not be 4-byte aligned.
                // Every .NET target is little-endian, like the files.
                bytes[..(4 * result.Length)].CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
                break;
            case SafeTensorDtype.F16:
                for (int i = 0; i < result.Length; i++)
                    result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
                break;
            case SafeTensorDtype.BF16:
                for (int i = 0; i < result.Length; i++)
                    result[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16);
                break;
            case SafeTensorDtype.F64:
                for (int i = 0; i < result.Length; i++)
                    result[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a floating-point dtype");
        }
        return result;
    }
}
