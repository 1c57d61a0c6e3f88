using System.CommandLine;
using HipVision.Hub;

namespace HipVision.Cli.Commands;

/// <summary>
/// <c>hipvision pull OWNER/NAME [--revision REV] [--offline]</c>: fetches a model's config, preprocessor config and
/// weights into the Hugging Face cache (shared with Python tools) and prints the snapshot directory on stdout.
/// </summary>
static class PullCommand
{
    public static Command Create()
    {
        var repo = new Argument<string>("REPO") { Description = "Hugging Face model id, owner/name" };
        var revision = new Option<string>("--revision") { Description = "Branch, tag or commit hash", DefaultValueFactory = _ => ModelPuller.DefaultRevision };
        var command = new Command("pull", "Download a model from the Hugging Face hub into its cache (HF_HUB_CACHE) and print the snapshot directory") { repo, revision };
        command.SetAction(r =>
        {
            if (!HubRepoId.TryParse(r.GetValue(repo), out var id))
                throw new UsageException($"'{r.GetValue(repo)}' is not a hub id (expected owner/name)");
            var directory = HubProgressDisplay.Run(CommonOptions.HubOptionsFor(r), plainLines: true, options =>
            {
                using var puller = new ModelPuller(options);
                return puller.Pull(id, r.GetValue(revision)!);
            });
            Console.WriteLine(directory);
            return CliHost.Ok;
        });
        return command;
    }
}
