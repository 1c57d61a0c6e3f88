using System.Runtime.ExceptionServices;

namespace HipVision.Backends.Cpu;

/// <summary>
/// Low-overhead fork-join for the CPU backend: runs <c>body(i)</c> for every i in [0, count) on up to
/// <c>threads</c> threads (the caller is one of them) and returns when all are done.
/// </summary>
/// <remarks>
/// A ViT forward pass issues ~150 ops of about a millisecond each, so the fork must cost microseconds, not the
/// tens of microseconds of waking sleeping threads: helper threads of a small persistent pool spin for a short
/// while after each job before they block. Indices are handed out dynamically, so an index that runs long
/// (or a helper the OS descheduled) does not hold the others back. One fork-join owns the pool at a time;
/// a call made while it is busy (another thread, or a body calling <see cref="For(int, int, Action{int})"/>)
/// runs its indices inline on the calling thread: correct, just not parallel.
/// </remarks>
public static unsafe class CpuParallel
{
    /// <summary>Runs <paramref name="body"/>(i) for i in [0, <paramref name="count"/>) on up to <paramref name="threads"/> threads.</summary>
    /// <param name="threads">Threads to use, the caller included; 1 runs everything inline.</param>
    /// <param name="count">Number of indices.</param>
    /// <param name="body">Work for one index; the first exception thrown is rethrown on the caller.</param>
    public static void For(int threads, int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Run(threads, count, null, null, body);
    }

    /// <summary>
    /// Allocation-free form of <see cref="For(int, int, Action{int})"/>: calls <paramref name="body"/>(state, i).
    /// <paramref name="state"/> may point at the caller's stack, since the call returns only when every index is done.
    /// </summary>
    public static void For(int threads, int count, delegate*<void*, int, void> body, void* state)
    {
        if (body == null)
            throw new ArgumentNullException(nameof(body));
        Run(threads, count, body, state, null);
    }

    static void Run(int threads, int count, delegate*<void*, int, void> fn, void* state, Action<int>? action)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int helpers = Math.Min(threads, count) - 1;
        if (helpers <= 0 || !WorkerPool.TryAcquire())
        {
            for (int i = 0; i < count; i++)
            {
                if (fn != null) fn(state, i);
                else action!(i);
            }
            return;
        }
        ExceptionDispatchInfo? error;
        try
        {
            error = WorkerPool.Run(helpers, count, fn, state, action);
        }
        finally
        {
            WorkerPool.Release();
        }
        error?.Throw();
    }
}
