namespace HipVision.Weights;

/// <summary>Header spellings and element sizes of <see cref="SafeTensorDtype"/>.</summary>
public static class SafeTensorDtypes
{
    /// <summary>Size of one element in bytes.</summary>
    public static int Size(this SafeTensorDtype dtype) => dtype switch
    {
        SafeTensorDtype.Bool or SafeTensorDtype.U8 or SafeTensorDtype.I8 => 1,
        SafeTensorDtype.I16 or SafeTensorDtype.F16 or SafeTensorDtype.BF16 => 2,
        SafeTensorDtype.I32 or SafeTensorDtype.F32 => 4,
        SafeTensorDtype.F64 or SafeTensorDtype.I64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The spelling in a safetensors header, e.g. "F32", "BOOL".</summary>
    public static string HeaderName(this SafeTensorDtype dtype) =>
        dtype == SafeTensorDtype.Bool ? "BOOL" : dtype.ToString();

    /// <summary>True for the floating-point types <see cref="SafeTensorsFile.ReadFloat32"/> converts.</summary>
    public static bool IsFloat(this SafeTensorDtype dtype) =>
        dtype is SafeTensorDtype.F16 or SafeTensorDtype.BF16 or SafeTensorDtype.F32 or SafeTensorDtype.F64;

    /// <summary>Parses a header spelling; false for anything HipVision does not read (F8_*, U16, U32, U64, ...).</summary>
    public static bool TryParse(string text, out SafeTensorDtype dtype)
    {
        switch (text)
        {
            case "BOOL": dtype = SafeTensorDtype.Bool; return true;
            case "U8": dtype = SafeTensorDtype.U8; return true;
            case "I8": dtype = SafeTensorDtype.I8; return true;
            case "I16": dtype = SafeTensorDtype.I16; return true;
            case "F16": dtype = SafeTensorDtype.F16; return true;
            case "BF16": dtype = SafeTensorDtype.BF16; return true;
            case "I32": dtype = SafeTensorDtype.I32; return true;
            case "F32": dtype = SafeTensorDtype.F32; return true;
            case "F64": dtype = SafeTensorDtype.F64; return true;
            case "I64": dtype = SafeTensorDtype.I64; return true;
            default: dtype = default; return false;
        }
    }
}
