using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using HipVision.Backends.Cpu;

namespace KernelBench;

/// <summary>The header every run prints: which machine and runtime the figures belong to, and whether they mean anything.</summary>
static class MachineInfo
{
    public static void Print()
    {
        Console.WriteLine($"CPU: {CpuModel()} ({Environment.ProcessorCount} logical processors, {RuntimeInformation.ProcessArchitecture})");
        Console.WriteLine($".NET: {RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription}");
        Console.WriteLine($"load average: {LoadAverage()}");
        foreach (var assembly in new[] { typeof(MachineInfo).Assembly, typeof(Sgemm).Assembly })
            if (assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true)
                Console.WriteLine($"WARNING: {assembly.GetName().Name} is a Debug build; the figures below are meaningless (use -c Release)");
        Console.WriteLine();
    }

    /// <summary>The model name, plus family and model: VMs often name only the vendor ("AMD EPYC").</summary>
    static string CpuModel()
    {
        const string path = "/proc/cpuinfo";
        if (!File.Exists(path)) return "unknown";
        var fields = File.ReadLines(path).TakeWhile(l => l.Length > 0).Select(l => l.Split(':', 2))
            .Where(kv => kv.Length == 2).GroupBy(kv => kv[0].Trim()).ToDictionary(g => g.Key, g => g.First()[1].Trim());
        string Field(string name) => fields.GetValueOrDefault(name, "?");
        return $"{Field("model name")} (family {Field("cpu family")} model {Field("model")})";
    }

    static string LoadAverage()
    {
        const string path = "/proc/loadavg";
        return File.Exists(path) ? string.Join(' ', File.ReadAllText(path).Split(' ').Take(3)) : "unknown";
    }
}
