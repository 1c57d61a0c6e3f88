using HipVision.Graph;
using HipVision.Interop;

namespace HipVision.Backends.Hip;

/// <summary>
/// One launch (or a short fixed sequence) of a HIP plan, before buffers exist: the nodes whose storage it writes (one, or two
/// for a fused residual add + LayerNorm), the nodes it reads, the bytes of scratch it needs (at the plan's precision), and how to bind itself to buffers once the plan has placed them. Binding happens
/// once at compile time; the returned delegate is what every run replays.
/// </summary>
internal sealed record HipStep(string Name, string Op, IReadOnlyList<Node> Writes, IReadOnlyList<Node> Reads, long ScratchBytes, Func<HipStepBinding, Action> Bind);

/// <summary>
/// What a <see cref="HipStep"/> binds to: the device, the buffer holding any node (activation or uploaded weight), its scratch, and
/// where a step that prepares a convolution (hv_conv2d_prepare, at bind time) reports what the preparation did.
/// </summary>
internal sealed record HipStepBinding(NativeDevice Device, Func<Node, NativeBuffer> Buffer, NativeBuffer? Scratch, Action<NativeTuning> Tuned);
