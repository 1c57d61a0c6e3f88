using HipVision.Graph;
using HipVision.Interop;

namespace HipVision.Backends.Hip;

/// <summary>
/// The convnet ops of the lowering (MobileNetV1, EfficientNet): convolutions, squeeze-excite, global average pool, and the
/// elementwise ops no convolution absorbs (a standalone activation as <c>hv_activate</c>, a BatchNorm that follows no
/// convolution as <c>hv_batch_norm</c>, with an activation that is its only reader fused).
/// </summary>
internal sealed partial class HipLowering
{
    /// <summary>The activation a node's only reader applies, which the node's step can fuse (hv_activation epilogues), or null.</summary>
    Node? FusableActivation(Node node, params OpKind[] kinds) =>
        _consumers[node] is [var only] && kinds.Contains(only.Kind) && only.Inputs[0] == node && OnlyConsumer(node, only) ? only : null;

    static NativeActivation ActivationOf(Node? activation) => activation?.Kind switch
    {
        null => NativeActivation.None,
        OpKind.Relu6 => NativeActivation.Relu6,
        OpKind.Silu => NativeActivation.Silu,
        OpKind.Gelu => NativeActivation.Gelu,
        OpKind.Sigmoid => NativeActivation.Sigmoid,
        var kind => throw new InvalidOperationException($"no hv_activation for {kind}"),
    };

    static readonly OpKind[] FusableKinds = [OpKind.Relu6, OpKind.Silu, OpKind.Gelu, OpKind.Sigmoid];

    /// <summary>A ReLU6, SiLU, GELU or sigmoid no step fused: elementwise, so the layout of its input is kept.</summary>
    void Activation(Node node)
    {
        var x = node.Inputs[0];
        if (_layout.IsNhwc(x) != _layout.IsNhwc(node)) throw Unsupported(node, "changing the layout between NHWC and NCHW");
        var activation = ActivationOf(node);
        long count = node.ElementCount;
        Emit(node, node.Kind.ToString(), [x], b =>
        {
            var (bx, by) = (b.Buffer(x), b.Buffer(node));
            return () => b.Device.Activate(bx, by, count, activation);
        });
    }

    /// <summary>Inference BatchNorm over dimension 1 that <see cref="BatchNormFolding"/> left (it follows no convolution), on NCHW or NHWC.</summary>
    void BatchNorm(Node node)
    {
        var (x, gamma, beta, mean, variance) = (node.Inputs[0], node.Inputs[1], node.Inputs[2], node.Inputs[3], node.Inputs[4]);
        if (!IsConstant(gamma) || !IsConstant(beta) || !IsConstant(mean) || !IsConstant(variance)) throw Unsupported(node, "with run-time statistics");
        if (_layout.IsNhwc(x) != _layout.IsNhwc(node)) throw Unsupported(node, "changing the layout between NHWC and NCHW");
        int batch = node.Shape[0], channels = node.Shape[1];
        long spatial = node.ElementCount / Math.Max((long)batch * channels, 1);
        var layout = _layout.IsNhwc(x) ? NativeLayout.Nhwc : NativeLayout.Nchw;
        float eps = (float)node.Attr<EpsilonAttributes>().Epsilon;
        var act = FusableActivation(node, FusableKinds);
        var activation = ActivationOf(act);
        Emit(node, "BatchNorm" + (act is null ? "" : "+" + act.Kind), [x], b =>
        {
            var (bx, bm, bv, bg, bb, by) = (b.Buffer(x), b.Buffer(mean), b.Buffer(variance), b.Buffer(gamma), b.Buffer(beta), b.Buffer(node));
            return () => b.Device.BatchNorm(bx, bm, bv, bg, bb, by, batch, channels, spatial, layout, eps, activation);
        });
        if (act != null) _storage[act] = node;
    }

    void Conv2d(Node node)
    {
        var a = node.Attr<Conv2dAttributes>();
        var (x, weight) = (node.Inputs[0], node.Inputs[1]);
        var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
        if (!IsConstant(weight) || (bias != null && !IsConstant(bias))) throw Unsupported(node, "with run-time weights");
        if (a.DilationH != 1 || a.DilationW != 1) throw Unsupported(node, $"with dilation {a.DilationH}x{a.DilationW}");
        if (!_layout.IsNhwc(node)) throw Unsupported(node, "whose output a reader needs in NCHW (the HIP convolutions write NHWC)");
        int batch = x.Shape[0], inChannels = x.Shape[1], height = x.Shape[2], width = x.Shape[3];
        int outChannels = node.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3];
        bool inputNhwc = _layout.IsNhwc(x);
        var act = FusableActivation(node, FusableKinds);
        var activation = ActivationOf(act);
        string suffix = act is null ? "" : "+" + act.Kind;

        if (a.Groups == 1 && kh == 1 && kw == 1 && a.StrideH == 1 && a.StrideW == 1 && a.Padding == default && inputNhwc)
        {
            // A pointwise conv on [B·H·W, Ci] channels-last is torch.nn.Linear with the weight [Co, Ci, 1, 1] read as [Co, Ci].
            long rows = (long)batch * height * width;
            Emit(node, "PointwiseConv2d" + suffix, [x], b =>
            {
                var (bx, bw, bb, by) = (b.Buffer(x), b.Buffer(weight), bias is null ? null : b.Buffer(bias), b.Buffer(node));
                return () => b.Device.Linear(bx, bw, bb, by, rows, inChannels, outChannels, activation);
            });
        }
        else if (a.Groups == 1)
        {
            if ((long)kh * kw > NativeDevice.MaxConvTaps) throw Unsupported(node, $"with a {kh}x{kw} kernel (hv_conv2d takes at most {NativeDevice.MaxConvTaps} taps)");
            var layout = inputNhwc ? NativeLayout.Nhwc : NativeLayout.Nchw;
            Emit(node, "Conv2d" + suffix, [x], b =>
            {
                if (VendorConvolutions) b.Tuned(b.Device.Conv2dPrepare(batch, inChannels, height, width, outChannels, kh, kw, a.StrideH, a.StrideW, a.Padding, layout));
                var (bx, bw, bb, by) = (b.Buffer(x), b.Buffer(weight), bias is null ? null : b.Buffer(bias), b.Buffer(node));
                return () => b.Device.Conv2d(bx, bw, bb, by, batch, inChannels, height, width, outChannels, kh, kw, a.StrideH, a.StrideW, a.Padding, layout, activation);
            });
        }
        else
        {
            bool depthwise = a.Groups == inChannels && outChannels == inChannels && weight.Shape[1] == 1;
            if (!depthwise) throw Unsupported(node, $"with {a.Groups} groups other than depthwise");
            if (kh > NativeDevice.MaxDepthwiseKernel || kw > NativeDevice.MaxDepthwiseKernel)
                throw Unsupported(node, $"with a {kh}x{kw} kernel (hv_depthwise_conv2d takes at most {NativeDevice.MaxDepthwiseKernel} per side)");
            if (inputNhwc)
            {
                Emit(node, "DepthwiseConv2d" + suffix, [x], b =>
                {
                    var (bx, bw, bb, by) = (b.Buffer(x), b.Buffer(weight), bias is null ? null : b.Buffer(bias), b.Buffer(node));
                    return () => b.Device.DepthwiseConv2d(bx, bw, bb, by, batch, height, width, inChannels, kh, kw, a.StrideH, a.StrideW, a.Padding, activation);
                });
            }
            else
            {
                // Reads the NCHW graph input (ChannelsLastLayout with convertInput): converted into the step's scratch first.
                var identity = IdentityWeight(inChannels);
                Emit(node, "ToNhwc+DepthwiseConv2d" + suffix, [x], b =>
                {
                    var (bx, bi, nhwc, bw, bb, by) = (b.Buffer(x), b.Buffer(identity), b.Scratch!, b.Buffer(weight), bias is null ? null : b.Buffer(bias), b.Buffer(node));
                    PrepareToNhwc(b, batch, inChannels, height, width);
                    return () =>
                    {
                        ToNhwc(b.Device, bx, bi, nhwc, batch, inChannels, height, width);
                        b.Device.DepthwiseConv2d(nhwc, bw, bb, by, batch, height, width, inChannels, kh, kw, a.StrideH, a.StrideW, a.Padding, activation);
                    };
                }, scratchBytes: x.ElementCount * _elementSize);
            }
        }
        if (act != null) _storage[act] = node;
    }

    /// <summary>HF EfficientNetSqueezeExciteLayer on NHWC; its 1×1 conv weights [R, C, 1, 1] and [C, R, 1, 1] are the matrices hv_squeeze_excite takes.</summary>
    void SqueezeExcite(Node node)
    {
        var x = node.Inputs[0];
        var (wr, br, we, be) = (node.Inputs[1], node.Inputs[2], node.Inputs[3], node.Inputs[4]);
        if (!IsConstant(wr) || !IsConstant(br) || !IsConstant(we) || !IsConstant(be)) throw Unsupported(node, "with run-time weights");
        if (!_layout.IsNhwc(node)) throw Unsupported(node, "whose output a reader needs in NCHW (hv_squeeze_excite writes NHWC)");
        bool convert = !_layout.IsNhwc(x);   // the NCHW graph input: converted into y, then excited in place
        var activation = node.Attr<SqueezeExciteAttributes>().Activation switch
        {
            OpKind.Silu => NativeActivation.Silu,
            var other => throw Unsupported(node, $"with a {other} between its projections (hv_squeeze_excite takes SiLU or ReLU)"),
        };
        int batch = x.Shape[0], channels = x.Shape[1], height = x.Shape[2], width = x.Shape[3], reduced = wr.Shape[0];
        if (channels > NativeDevice.MaxExciteChannels || reduced > NativeDevice.MaxExciteReduced)
            throw Unsupported(node, $"of {channels} channels reduced to {reduced} (hv_squeeze_excite takes at most {NativeDevice.MaxExciteChannels} and {NativeDevice.MaxExciteReduced})");
        long workspace = NativeDevice.SqueezeExciteWorkspaceBytes(batch, height, width, channels, reduced);
        var identity = convert ? IdentityWeight(channels) : null;
        Emit(node, convert ? "ToNhwc+SqueezeExcite" : "SqueezeExcite", [x], b =>
        {
            var (bx, bwr, bbr, bwe, bbe, ws, by) = (b.Buffer(x), b.Buffer(wr), b.Buffer(br), b.Buffer(we), b.Buffer(be), b.Scratch!, b.Buffer(node));
            if (identity is null)
                return () => b.Device.SqueezeExcite(bx, bwr, bbr, bwe, bbe, ws, by, batch, height, width, channels, reduced, activation);
            var bi = b.Buffer(identity);
            PrepareToNhwc(b, batch, channels, height, width);
            return () =>
            {
                ToNhwc(b.Device, bx, bi, by, batch, channels, height, width);
                b.Device.SqueezeExcite(by, bwr, bbr, bwe, bbe, ws, by, batch, height, width, channels, reduced, activation);
            };
        }, scratchBytes: Math.Max(workspace, 1));
    }

    void GlobalAvgPool(Node node)
    {
        var x = node.Inputs[0];
        int batch = x.Shape[0], channels = x.Shape[1], height = x.Shape[2], width = x.Shape[3];
        if (!_layout.IsNhwc(x))
            (batch, channels, height, width) = (batch * channels, 1, height * width, 1);   // NCHW [B, C, H, W] is NHWC [B·C, H·W, 1, 1]
        Emit(node, "GlobalAvgPool", [x], b =>
        {
            var (bx, by) = (b.Buffer(x), b.Buffer(node));
            return () => b.Device.GlobalAvgPool(bx, by, batch, height, width, channels);
        });
    }

    /// <summary>
    /// Whether dense convolutions are prepared (hv_conv2d_prepare) at bind time: at fp32 only, since the vendor path is fp32 and
    /// fp16/bf16 convolutions run the direct kernel (nothing to tune).
    /// </summary>
    bool VendorConvolutions => _elementSize == sizeof(float);

    /// <summary>hv_conv2d_prepare for <see cref="ToNhwc"/>'s 1×1 conv at bind time (the native side keeps 1×1 on the exact direct kernel).</summary>
    void PrepareToNhwc(HipStepBinding b, int batch, int channels, int height, int width)
    {
        if (VendorConvolutions) b.Tuned(b.Device.Conv2dPrepare(batch, channels, height, width, channels, 1, 1, 1, 1, default, NativeLayout.Nchw));
    }

    /// <summary>An identity [C, C, 1, 1] weight: hv_conv2d with it turns NCHW into NHWC (the ABI has no transpose entry).</summary>
    static Node IdentityWeight(int channels)
    {
        var data = new float[(long)channels * channels];
        for (int c = 0; c < channels; c++) data[(long)c * channels + c] = 1;
        return new Node(-1, OpKind.Constant, $"nchw_to_nhwc.identity_{channels}", [], [channels, channels, 1, 1], null, data);
    }

    /// <summary>
    /// x NCHW → y NHWC as a 1×1 convolution with the identity: each output is 1·x plus zero products, so finite inputs come
    /// through exactly (costs C² multiply-adds per pixel; only a depthwise conv or squeeze-excite reading the graph input needs it).
    /// </summary>
    static void ToNhwc(NativeDevice device, NativeBuffer x, NativeBuffer identity, NativeBuffer y, int batch, int channels, int height, int width) =>
        device.Conv2d(x, identity, null, y, batch, channels, height, width, channels, 1, 1, 1, 1, default, NativeLayout.Nchw);
}
