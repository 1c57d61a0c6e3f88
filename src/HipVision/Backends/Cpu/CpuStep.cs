namespace HipVision.Backends.Cpu;

/// <summary>One operation of a compiled CPU plan with all its pointers resolved at compile time.</summary>
internal abstract class CpuStep(string name, string op)
{
    public string Name { get; } = name;

    public string Op { get; } = op;

    public abstract void Run();
}
