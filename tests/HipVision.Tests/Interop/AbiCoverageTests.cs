using System.Reflection;
using System.Text.RegularExpressions;
using HipVision.Interop;

namespace HipVision.Tests.Interop;

/// <summary>Every function of native/include/hipvision.h has its [LibraryImport] in <see cref="NativeMethods"/>, under the C name.</summary>
public class AbiCoverageTests
{
    [Test]
    public void NativeMethods_bindEveryFunctionOfTheHeader()
    {
        var header = File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "native", "include", "hipvision.h"));
        var declared = Regex.Matches(header, @"HV_API\s+[\w\s\*]+?\b(hv_\w+)\s*\(").Select(m => m.Groups[1].Value).ToHashSet();
        var bound = typeof(NativeMethods).GetMethods(BindingFlags.Public | BindingFlags.Static).Select(m => m.Name).ToHashSet();
        Assert.That(declared, Has.Count.GreaterThan(20), "the header parses");
        Assert.That(declared.Except(bound), Is.Empty, "functions of hipvision.h without a binding in NativeMethods");
        Assert.That(bound.Where(n => n.StartsWith("hv_", StringComparison.Ordinal)).Except(declared), Is.Empty, "bindings of functions the header no longer has");
        Assert.That(HipVision.Backends.Hip.HipBackend.EntryPoints.Except(declared), Is.Empty, "entries the HIP backend checks for at open");
    }
}
