using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HipVision.Weights;

/// <summary>
/// Little-endian tensor bytes to float32, shared by every weight source that reads a file, with the non-finite
/// check done here: this conversion is the one pass every loaded weight makes anyway (from the mapping or the
/// zip record into the float array the model keeps), so checking for NaN/±Inf costs no second pass over the file.
/// For F32 the check is fused into the copy (one vector multiply-add per vector); for F16, BF16 and F64 it runs
/// over the freshly converted floats. A tensor is converted once per load (<see cref="VisionModel"/> caches it).
/// </summary>
internal static class Float32Conversion
{
    /// <summary>
    /// Converts C-order little-endian elements of a floating-point dtype. F64 rounds to nearest (a finite double
    /// beyond the float range becomes ±Inf and counts as non-finite); F16 and BF16 convert exactly; F32 is a byte copy.
    /// </summary>
    public static float[] ToFloat32(ReadOnlySpan<byte> bytes, SafeTensorDtype dtype) => ToFloat32(bytes, dtype, out _);

    /// <summary>As <see cref="ToFloat32(ReadOnlySpan{byte}, SafeTensorDtype)"/>, reporting whether any result is NaN or ±Inf.</summary>
    public static float[] ToFloat32(ReadOnlySpan<byte> bytes, SafeTensorDtype dtype, out bool anyNonFinite)
    {
        var result = new float[bytes.Length / dtype.Size()];
        switch (dtype)
        {
            case SafeTensorDtype.F32:
                // A copy through unaligned vector loads, not a reinterpreting cast: the bytes need not be 4-byte
                // aligned. Every .NET target is little-endian, like the files.
                anyNonFinite = CopyCheckingFinite(bytes[..(4 * result.Length)], result);
                return result;
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
        anyNonFinite = CopyCheckingFinite(MemoryMarshal.AsBytes(result.AsSpan()), null);
        return result;
    }

    /// <summary>
    /// Copies float32 bytes into <paramref name="destination"/> (or only reads them when null) and returns true when
    /// any is NaN or ±Inf: x·0 is 0 for every finite x and NaN otherwise, so one accumulator answers for the whole span.
    /// </summary>
    static bool CopyCheckingFinite(ReadOnlySpan<byte> bytes, float[]? destination)
    {
        int n = bytes.Length / 4;
        ref float src = ref Unsafe.As<byte, float>(ref MemoryMarshal.GetReference(bytes));
        var acc = Vector<float>.Zero;
        int i = 0;
        if (destination != null)
        {
            ref float dst = ref MemoryMarshal.GetArrayDataReference(destination);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref src, i)));
                v.StoreUnsafe(ref dst, (nuint)i);
                acc += v * Vector<float>.Zero;
            }
            float tail = 0;
            for (; i < n; i++)
            {
                float x = Unsafe.ReadUnaligned<float>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref src, i)));
                destination[i] = x;
                tail += x * 0;
            }
            return !float.IsFinite(tail) || !AllZero(acc);
        }
        for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            acc += Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref src, i))) * Vector<float>.Zero;
        float rest = 0;
        for (; i < n; i++)
            rest += Unsafe.ReadUnaligned<float>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref src, i))) * 0;
        return !float.IsFinite(rest) || !AllZero(acc);
    }

    // Every lane is ±0 unless a NaN arrived (NaN ≠ 0, and NaN == NaN is false).
    static bool AllZero(Vector<float> acc) => Vector.EqualsAll(acc, Vector<float>.Zero);

    /// <summary>How many values are NaN or ±Inf, and the first one's index and value (for the warning; only run after a hit).</summary>
    public static (long Count, long First, float Value) NonFinite(ReadOnlySpan<float> values)
    {
        long count = 0, first = -1;
        float value = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsFinite(values[i])) continue;
            if (count++ == 0) { first = i; value = values[i]; }
        }
        return (count, first, value);
    }

    /// <summary>The warning for a tensor that holds NaN or ±Inf, naming the file and the tensor.</summary>
    public static void WarnIfNonFinite(bool anyNonFinite, float[] values, string source, string name)
    {
        if (!anyNonFinite) return;
        var (count, first, value) = NonFinite(values);
        HipVisionWarnings.Raise(
            $"{source}: tensor '{name}' has {count} non-finite value{(count == 1 ? "" : "s")} of {values.Length} (first at element {first}: {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}); outputs that depend on it will be NaN or Inf");
    }
}
