// kernelbench: measurements of single HipVision kernels, kept out of the test suite (tests check, benchmarks time).
//
//   bash bench/kernels.sh                      # both, Release build
//   bash bench/kernels.sh sgemm --repeats 5    # one, fewer repeats (a smoke run)
//   dotnet run -c Release --project bench/KernelBench -- weights-check
using System.Globalization;

namespace KernelBench;

static class Program
{
    const string Usage = "kernelbench [all|sgemm|weights-check] [--repeats N (default: sgemm 20, weights-check 7)]";

    static int Main(string[] args)
    {
        string what = "all";
        int? repeats = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "all" or "sgemm" or "weights-check": what = args[i]; break;
                case "--repeats" when i + 1 < args.Length:
                    repeats = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(args), "--repeats must be at least 1");
                    break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default: Console.Error.WriteLine($"unknown argument {args[i]}\n{Usage}"); return 2;
            }
        }
        MachineInfo.Print();
        if (what is "all" or "sgemm") SgemmBench.Run(repeats ?? 20);
        if (what is "all" or "weights-check") WeightsCheckBench.Run(repeats ?? 7);
        return 0;
    }
}
