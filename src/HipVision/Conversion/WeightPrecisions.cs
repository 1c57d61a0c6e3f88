using HipVision.Weights;

namespace HipVision.Conversion;

/// <summary>Names and safetensors dtypes of <see cref="WeightPrecision"/>.</summary>
public static class WeightPrecisions
{
    /// <summary>The spelling of the command line and the file's metadata: fp32, fp16, bf16.</summary>
    public static string Name(this WeightPrecision precision) => precision switch
    {
        WeightPrecision.Fp32 => "fp32",
        WeightPrecision.Fp16 => "fp16",
        WeightPrecision.Bf16 => "bf16",
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, null),
    };

    /// <summary>The dtype the tensors are stored as.</summary>
    public static SafeTensorDtype Dtype(this WeightPrecision precision) => precision switch
    {
        WeightPrecision.Fp32 => SafeTensorDtype.F32,
        WeightPrecision.Fp16 => SafeTensorDtype.F16,
        WeightPrecision.Bf16 => SafeTensorDtype.BF16,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, null),
    };

    /// <summary>Parses fp32, fp16 or bf16 (any case); false for anything else.</summary>
    public static bool TryParse(string text, out WeightPrecision precision)
    {
        foreach (var p in Enum.GetValues<WeightPrecision>())
            if (string.Equals(text, p.Name(), StringComparison.OrdinalIgnoreCase))
            {
                precision = p;
                return true;
            }
        precision = default;
        return false;
    }
}
