using HipVision.Weights;

namespace HipVision.Conversion;

/// <summary>The safetensors dtype a converted file stores a <see cref="Precision"/> as.</summary>
public static class PrecisionDtypes
{
    /// <summary>F32, F16 or BF16.</summary>
    public static SafeTensorDtype Dtype(this Precision precision) => precision switch
    {
        Precision.Fp32 => SafeTensorDtype.F32,
        Precision.Fp16 => SafeTensorDtype.F16,
        Precision.Bf16 => SafeTensorDtype.BF16,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, null),
    };
}
