namespace HipVision.Interop;

/// <summary>
/// The transformer ops of the C ABI (HF ViT and BEiT), each validated here before the one native call so that a
/// native <see cref="NativeStatus.InvalidArgument"/> means a HipVision bug. Extents are int64 on the ABI and must fit
/// in int32; an extent of 0 makes a call a no-op natively. Outputs never alias inputs unless a method says so.
/// </summary>
internal sealed partial class NativeDevice
{
    /// <summary>
    /// Batched row-major GEMM: C_i = alpha·op(A_i)·op(B_i) + beta·C_i + bias for i &lt; <paramref name="batch"/>, op(A) m×k
    /// (A stored [k, m] when <paramref name="transA"/>), op(B) k×n (B stored [n, k] when <paramref name="transB"/>, torch.nn.Linear
    /// weights). X_i starts at X + i·stride_x floats; a stride of 0 for A or B shares one matrix. When beta is 0, C is not read.
    /// </summary>
    public void Gemm(NativeBuffer a, NativeBuffer b, NativeBuffer? bias, NativeBuffer c, long batch, long m, long n, long k,
        long strideA, long strideB, long strideC, bool transA, bool transB, float alpha = 1, float beta = 0)
    {
        Extent(batch, nameof(batch)); Extent(m, nameof(m)); Extent(n, nameof(n)); Extent(k, nameof(k));
        ArgumentOutOfRangeException.ThrowIfNegative(strideA);
        ArgumentOutOfRangeException.ThrowIfNegative(strideB);
        ArgumentOutOfRangeException.ThrowIfNegative(strideC);
        if (batch > 1 && strideC < m * n) throw new ArgumentOutOfRangeException(nameof(strideC), strideC, $"must be at least m·n = {m * n} when batch > 1");
        if (!float.IsFinite(alpha) || !float.IsFinite(beta)) throw new ArgumentOutOfRangeException(nameof(alpha), "alpha and beta must be finite");
        long last = Math.Max(batch - 1, 0);
        long need(long stride, long matrix) => batch == 0 ? 0 : last * stride + matrix;
        RequireBuffer(a, need(strideA, m * k), nameof(a));
        RequireBuffer(b, need(strideB, k * n), nameof(b));
        RequireOptional(bias, n, nameof(bias));
        RequireBuffer(c, need(strideC, m * n), nameof(c));
        Distinct(c, nameof(c), a, b, bias);
        OneType("hv_gemm", "a, b, bias, c", a, b, bias, c);
        Native.Check(NativeMethods.hv_gemm(Handle, a.Handle, b.Handle, Optional(bias), c.Handle, batch, m, n, k, strideA, strideB, strideC,
            transA ? 1 : 0, transB ? 1 : 0, alpha, beta));
    }

    /// <summary>torch.nn.Linear with an activation fused after it: y[rows, out] = act(x[rows, in]·Wᵀ + b), W is [out, in].</summary>
    public void Linear(NativeBuffer x, NativeBuffer weight, NativeBuffer? bias, NativeBuffer y, long rows, long inFeatures, long outFeatures,
        NativeActivation activation = NativeActivation.None)
    {
        Extent(rows, nameof(rows));
        Extent(inFeatures, nameof(inFeatures), min: 1);
        Extent(outFeatures, nameof(outFeatures), min: 1);
        if (!Enum.IsDefined(activation)) throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        RequireBuffer(x, rows * inFeatures, nameof(x));
        RequireBuffer(weight, outFeatures * inFeatures, nameof(weight));
        RequireOptional(bias, outFeatures, nameof(bias));
        RequireBuffer(y, rows * outFeatures, nameof(y));
        Distinct(y, nameof(y), x, weight, bias);
        OneType("hv_linear", "x, weight, bias, y", x, weight, bias, y);
        Native.Check(NativeMethods.hv_linear(Handle, x.Handle, weight.Handle, Optional(bias), y.Handle, rows, inFeatures, outFeatures, activation));
    }

    /// <summary>
    /// Fused multi-head self-attention: qkv [B, T, 3·D] (D = heads·headDim; query, key, value side by side), optional bias
    /// [heads, T, T] added to the scaled scores, softmax over keys, times V → out [B, T, D]. headDim ≤ 128 natively.
    /// </summary>
    public void Attention(NativeBuffer qkv, NativeBuffer? bias, NativeBuffer output, long batch, long tokens, long heads, long headDim, float scale)
    {
        // batch and heads index the launch grid (at most 65535 each); head_dim above 128 is HV_ERROR_UNSUPPORTED natively.
        Extent(batch, nameof(batch), max: MaxAttentionGrid); Extent(tokens, nameof(tokens));
        Extent(heads, nameof(heads), min: 1, max: MaxAttentionGrid); Extent(headDim, nameof(headDim), min: 1);
        if (!float.IsFinite(scale) || scale <= 0) throw new ArgumentOutOfRangeException(nameof(scale), scale, "must be finite and > 0");
        long d = heads * headDim;
        RequireBuffer(qkv, batch * tokens * 3 * d, nameof(qkv));
        RequireOptional(bias, heads * tokens * tokens, nameof(bias));
        RequireBuffer(output, batch * tokens * d, nameof(output));
        Distinct(output, nameof(output), qkv, bias);
        OneType("hv_attention", "qkv, bias, output", qkv, bias, output);
        Native.Check(NativeMethods.hv_attention(Handle, qkv.Handle, Optional(bias), output.Handle, batch, tokens, heads, headDim, scale));
    }

    /// <summary>
    /// The gather half of the patch embedding: NCHW pixels → patches [B, (H/p)·(W/p), C·p·p], columns in (c, ky, kx) order (how the
    /// conv weight [D, C, p, p] flattens), so <see cref="Linear"/> with that weight finishes the embedding.
    /// </summary>
    public void PatchEmbed(NativeBuffer pixels, NativeBuffer patches, long batch, long channels, long height, long width, long patch)
    {
        Extent(batch, nameof(batch)); Extent(channels, nameof(channels)); Extent(height, nameof(height)); Extent(width, nameof(width));
        Extent(patch, nameof(patch), min: 1);
        if (height % patch != 0 || width % patch != 0)
            throw new ArgumentException($"height {height} and width {width} must be multiples of the patch size {patch}", nameof(patch));
        long count = batch * channels * height * width;
        RequireBuffer(pixels, count, nameof(pixels));
        RequireBuffer(patches, count, nameof(patches));
        Distinct(patches, nameof(patches), pixels);
        OneType("hv_patch_embed", "pixels, patches", pixels, patches);
        Native.Check(NativeMethods.hv_patch_embed(Handle, pixels.Handle, patches.Handle, batch, channels, height, width, patch));
    }

    /// <summary>
    /// y = act(x) over <paramref name="count"/> elements (<c>hv_activate</c>: GELU, ReLU, ReLU6, SiLU, sigmoid, or a copy for
    /// None); <paramref name="y"/> may be <paramref name="x"/>.
    /// </summary>
    public void Activate(NativeBuffer x, NativeBuffer y, long count, NativeActivation activation)
    {
        Extent(count, nameof(count), max: long.MaxValue / sizeof(float));
        if (!Enum.IsDefined(activation)) throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        RequireBuffer(x, count, nameof(x));
        RequireBuffer(y, count, nameof(y));
        OneType("hv_activate", "x, y", x, y);
        Native.Check(NativeMethods.hv_activate(Handle, x.Handle, y.Handle, count, activation));
    }

    /// <summary>
    /// y[r] = a[r] + b[r mod bRows] over rows of <paramref name="cols"/> (bRows = rows: residual add; bRows = tokens: position
    /// embeddings). <paramref name="y"/> may be <paramref name="a"/>, or <paramref name="b"/> when bRows = rows.
    /// </summary>
    public void Add(NativeBuffer a, NativeBuffer b, NativeBuffer y, long rows, long cols, long bRows)
    {
        Extent(rows, nameof(rows)); Extent(cols, nameof(cols), min: 1); Extent(bRows, nameof(bRows), min: 1);
        if (rows % bRows != 0) throw new ArgumentException($"rows {rows} is not a multiple of bRows {bRows}", nameof(bRows));
        RequireBuffer(a, rows * cols, nameof(a));
        RequireBuffer(b, bRows * cols, nameof(b));
        RequireBuffer(y, rows * cols, nameof(y));
        if (ReferenceEquals(y, b) && bRows != rows) throw new ArgumentException("y may be b only when bRows equals rows", nameof(y));
        OneType("hv_add", "a, b, y", a, b, y);
        Native.Check(NativeMethods.hv_add(Handle, a.Handle, b.Handle, y.Handle, rows, cols, bRows));
    }

    /// <summary>BEiT's layer scale: y[r, c] = x[r, c]·gamma[c] (+ residual[r, c]); y may be x or residual.</summary>
    public void LayerScale(NativeBuffer x, NativeBuffer gamma, NativeBuffer? residual, NativeBuffer y, long rows, long cols)
    {
        Extent(rows, nameof(rows)); Extent(cols, nameof(cols), min: 1);
        RequireBuffer(x, rows * cols, nameof(x));
        RequireBuffer(gamma, cols, nameof(gamma));
        RequireOptional(residual, rows * cols, nameof(residual));
        RequireBuffer(y, rows * cols, nameof(y));
        Distinct(y, nameof(y), gamma);
        OneType("hv_layer_scale", "x, gamma, residual, y", x, gamma, residual, y);
        Native.Check(NativeMethods.hv_layer_scale(Handle, x.Handle, gamma.Handle, Optional(residual), y.Handle, rows, cols));
    }

    /// <summary>torch.softmax over the last dimension of x[rows, cols]; y may be x.</summary>
    public void Softmax(NativeBuffer x, NativeBuffer y, long rows, long cols)
    {
        Extent(rows, nameof(rows)); Extent(cols, nameof(cols), min: 1);
        RequireBuffer(x, rows * cols, nameof(x));
        RequireBuffer(y, rows * cols, nameof(y));
        OneType("hv_softmax", "x, y", x, y);
        Native.Check(NativeMethods.hv_softmax(Handle, x.Handle, y.Handle, rows, cols));
    }

    /// <summary>torch.cat((token, x), dim=1) with token [dim] broadcast over the batch: x [B, T, dim] → y [B, T + 1, dim].</summary>
    public void PrependToken(NativeBuffer token, NativeBuffer x, NativeBuffer y, long batch, long tokens, long dim)
    {
        Extent(batch, nameof(batch)); Extent(tokens, nameof(tokens)); Extent(dim, nameof(dim), min: 1);
        RequireBuffer(token, dim, nameof(token));
        RequireBuffer(x, batch * tokens * dim, nameof(x));
        RequireBuffer(y, batch * (tokens + 1) * dim, nameof(y));
        Distinct(y, nameof(y), x, token);
        OneType("hv_prepend_token", "token, x, y", token, x, y);
        Native.Check(NativeMethods.hv_prepend_token(Handle, token.Handle, x.Handle, y.Handle, batch, tokens, dim));
    }

    /// <summary>y[b, :] = x[b, index, :] for x [B, T, dim] (ViT's sequence_output[:, 0, :]).</summary>
    public void SliceToken(NativeBuffer x, NativeBuffer y, long batch, long tokens, long dim, long index)
    {
        Extent(batch, nameof(batch)); Extent(tokens, nameof(tokens), min: 1); Extent(dim, nameof(dim), min: 1);
        if (index < 0 || index >= tokens) throw new ArgumentOutOfRangeException(nameof(index), index, $"must be in [0, {tokens})");
        RequireBuffer(x, batch * tokens * dim, nameof(x));
        RequireBuffer(y, batch * dim, nameof(y));
        Distinct(y, nameof(y), x);
        OneType("hv_slice_token", "x, y", x, y);
        Native.Check(NativeMethods.hv_slice_token(Handle, x.Handle, y.Handle, batch, tokens, dim, index));
    }

    /// <summary>y[b, :] = mean over t in [first, T) of x[b, t, :] (BEiT's mean pooling: first = 1 skips [CLS]).</summary>
    public void MeanTokens(NativeBuffer x, NativeBuffer y, long batch, long tokens, long dim, long first)
    {
        Extent(batch, nameof(batch)); Extent(tokens, nameof(tokens), min: 1); Extent(dim, nameof(dim), min: 1);
        if (first < 0 || first >= tokens) throw new ArgumentOutOfRangeException(nameof(first), first, $"must be in [0, {tokens})");
        RequireBuffer(x, batch * tokens * dim, nameof(x));
        RequireBuffer(y, batch * dim, nameof(y));
        Distinct(y, nameof(y), x);
        OneType("hv_mean_tokens", "x, y", x, y);
        Native.Check(NativeMethods.hv_mean_tokens(Handle, x.Handle, y.Handle, batch, tokens, dim, first));
    }

    /// <summary>hv_attention's limit on batch and heads (native/include/hipvision.h).</summary>
    public const int MaxAttentionGrid = 65535;

    static BufferHandle Optional(NativeBuffer? buffer) => buffer?.Handle ?? BufferHandle.Null;

    static void Extent(long value, string name, long min = 0, long max = int.MaxValue)
    {
        if (value < min || value > max) throw new ArgumentOutOfRangeException(name, value, $"must be in [{min}, {max}]");
    }

    static void Distinct(NativeBuffer output, string name, params NativeBuffer?[] inputs)
    {
        foreach (var input in inputs)
            if (ReferenceEquals(output, input)) throw new ArgumentException($"{name} must not be one of the inputs", name);
    }
}
