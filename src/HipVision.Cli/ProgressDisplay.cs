using Spectre.Console;

namespace HipVision.Cli;

/// <summary>
/// A progress bar on stderr for long work when a person watches (stderr is a terminal); nothing otherwise,
/// so redirected and --json output stay plain. Work reports completed units through the callback it is given.
/// </summary>
static class ProgressDisplay
{
    public static void Run(string description, double total, Action<Action<double>> work)
    {
        if (Console.IsErrorRedirected)
        {
            work(_ => { });
            return;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(total, 1));
                work(done => task.Increment(done));
            });
    }
}
