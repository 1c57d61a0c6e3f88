using HipVision.Hub;
using Spectre.Console;

namespace HipVision.Cli;

/// <summary>
/// Shows a pull's downloads on stderr: when stderr is a terminal, a bar per file with bytes, speed and time left;
/// otherwise, if asked for (<c>pull</c>, or --verbose), one plain line per file; else nothing.
/// </summary>
static class HubProgressDisplay
{
    public static T Run<T>(HubOptions options, bool plainLines, Func<HubOptions, T> work)
    {
        if (Console.IsErrorRedirected)
            return work(plainLines ? options with { Progress = new PlainLines() } : options);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(),
                new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(context => result = work(options with { Progress = new Bars(context) }));
        return result;
    }

    /// <summary>One line per file: "config.json: downloaded 923 B", "model.safetensors: cached".</summary>
    sealed class PlainLines : IHubProgress
    {
        public void FileStarted(string file, long totalBytes, long resumedBytes)
        {
            if (resumedBytes > 0) Console.Error.WriteLine($"{file}: resuming at {resumedBytes:N0} of {(totalBytes >= 0 ? $"{totalBytes:N0}" : "?")} bytes");
        }

        public void BytesReceived(string file, long count) { }

        public void FileCompleted(string file, long totalBytes, bool downloaded) =>
            Console.Error.WriteLine(downloaded ? $"{file}: downloaded {totalBytes:N0} bytes" : $"{file}: cached");

        public void Retrying(string file, string reason, TimeSpan delay) =>
            Console.Error.WriteLine($"{file}: {reason}; retrying in {delay.TotalSeconds:0.#} s");
    }

    /// <summary>A Spectre progress task per downloaded file; cached files get a completed line.</summary>
    sealed class Bars(ProgressContext context) : IHubProgress
    {
        readonly Dictionary<string, ProgressTask> _tasks = [];

        public void FileStarted(string file, long totalBytes, long resumedBytes)
        {
            var task = context.AddTask(Markup.Escape(file), maxValue: Math.Max(totalBytes, 1));
            task.IsIndeterminate = totalBytes < 0;
            task.Increment(resumedBytes);
            _tasks[file] = task;
        }

        public void BytesReceived(string file, long count)
        {
            if (_tasks.TryGetValue(file, out var task)) task.Increment(count);
        }

        public void FileCompleted(string file, long totalBytes, bool downloaded)
        {
            if (!_tasks.TryGetValue(file, out var task))
                task = context.AddTask(Markup.Escape($"{file} (cached)"), maxValue: Math.Max(totalBytes, 1));
            task.IsIndeterminate = false;
            task.Value = task.MaxValue;
            task.StopTask();
        }

        public void Retrying(string file, string reason, TimeSpan delay)
        {
            if (_tasks.TryGetValue(file, out var task)) task.Description = Markup.Escape($"{file} (retrying)");
        }
    }
}
