using System.CommandLine;

namespace HipVision.Cli;

/// <summary>
/// Runs the command line with HipVision's exit codes: 0 ok, 2 usage error (parse errors, printed with a
/// hint), 1 runtime error as one line on stderr (stack trace only with --verbose).
/// </summary>
static class CliHost
{
    public const int Ok = 0, RuntimeError = 1, UsageError = 2;

    public static int Invoke(RootCommand root, string[] args)
    {
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors) Console.Error.WriteLine($"hipvision: {error.Message}");
            Console.Error.WriteLine("Run 'hipvision --help' for usage.");
            return UsageError;
        }
        bool verbose = result.GetValue(CommonOptions.Verbose);
        try
        {
            return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"hipvision: {e.Message}");
            return UsageError;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {OneLine(e)}");
            if (verbose) Console.Error.WriteLine(e);
            return RuntimeError;
        }
    }

    static string OneLine(Exception e)
    {
        var text = e switch
        {
            HipVisionException => e.Message,
            OutOfMemoryException => "out of memory (try a smaller --batch)",
            _ => $"{e.GetType().Name}: {e.Message}",
        };
        return text.ReplaceLineEndings(" ");
    }
}

/// <summary>A command-line combination that parses but makes no sense (exit code 2).</summary>
sealed class UsageException(string message) : Exception(message);
