using System.Runtime.InteropServices;

namespace HipVision.Backends.Cpu;

/// <summary>
/// Large native allocations aligned to 2 MiB and, on Linux, advised as transparent huge pages
/// (madvise MADV_HUGEPAGE; the common THP mode is "madvise", so without the advice an 80 MB activation
/// arena sits on 4 KiB pages and every layer's sweep over it misses the TLB). Elsewhere plain aligned memory.
/// </summary>
internal static unsafe partial class HugePageMemory
{
    const nuint HugePage = 2 * 1024 * 1024;
    const int MadvHugePage = 14;

    public static float* Allocate(long bytes)
    {
        nuint size = ((nuint)Math.Max(bytes, 1) + HugePage - 1) / HugePage * HugePage;
        var p = NativeMemory.AlignedAlloc(size, HugePage);
        if (OperatingSystem.IsLinux())
        {
            try { _ = madvise(p, size, MadvHugePage); }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
        }
        return (float*)p;
    }

    public static void Free(float* p) => NativeMemory.AlignedFree(p);

    [LibraryImport("libc", SetLastError = false)]
    private static partial int madvise(void* address, nuint length, int advice);
}
