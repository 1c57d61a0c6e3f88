namespace HipVision.Weights;

/// <summary>
/// Element types a safetensors file may declare that HipVision reads. Declared in the order of the
/// safetensors library's own enum (increasing alignment), because its writer sorts tensors by this
/// order, descending, and <see cref="SafeTensorsWriter"/> reproduces that layout.
/// </summary>
public enum SafeTensorDtype
{
    /// <summary>"BOOL": one byte, 0 or 1.</summary>
    Bool,
    /// <summary>"U8": unsigned 8-bit integer.</summary>
    U8,
    /// <summary>"I8": signed 8-bit integer.</summary>
    I8,
    /// <summary>"I16": signed 16-bit integer.</summary>
    I16,
    /// <summary>"F16": IEEE half precision.</summary>
    F16,
    /// <summary>"BF16": bfloat16 (the upper half of a float32).</summary>
    BF16,
    /// <summary>"I32": signed 32-bit integer.</summary>
    I32,
    /// <summary>"F32": IEEE single precision.</summary>
    F32,
    /// <summary>"F64": IEEE double precision.</summary>
    F64,
    /// <summary>"I64": signed 64-bit integer (PyTorch's num_batches_tracked).</summary>
    I64,
}
