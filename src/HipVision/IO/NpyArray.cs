namespace HipVision.IO;

/// <summary>An array read from a NumPy .npy file: its dtype descriptor, C-order shape and raw little-endian bytes.</summary>
public sealed class NpyArray
{
    /// <summary>Creates an array from its parts.</summary>
    public NpyArray(string dtype, int[] shape, byte[] data)
    {
        Dtype = dtype;
        Shape = shape;
        Data = data;
    }

    /// <summary>NumPy dtype descriptor, e.g. <c>&lt;f4</c> or <c>|u1</c>.</summary>
    public string Dtype { get; }

    /// <summary>Shape in C (row-major) order.</summary>
    public int[] Shape { get; }

    /// <summary>Raw element bytes, little-endian, C order.</summary>
    public byte[] Data { get; }

    /// <summary>Number of elements (product of the shape).</summary>
    public long Length => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The elements as float32; throws unless the dtype is little-endian float32.</summary>
    public float[] ToFloat32(string source)
    {
        if (Dtype != "<f4")
            throw new HipVisionException($"{source}: expected a float32 array (<f4), found dtype '{Dtype}'");
        var result = new float[Length];
        Buffer.BlockCopy(Data, 0, result, 0, Data.Length);
        return result;
    }

    /// <summary>The elements as bytes; throws unless the dtype is uint8.</summary>
    public byte[] ToUInt8(string source)
    {
        if (Dtype != "|u1" && Dtype != "<u1")
            throw new HipVisionException($"{source}: expected a uint8 array (|u1), found dtype '{Dtype}'");
        return Data;
    }
}
