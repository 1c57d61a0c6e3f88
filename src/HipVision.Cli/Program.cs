using System.CommandLine;
using HipVision.Cli;
using HipVision.Cli.Commands;

var root = new RootCommand("hipvision: image classification (ViT and more, Hugging Face-exact) on CPU and AMD/NVIDIA GPUs");
root.Options.Add(CommonOptions.Verbose);
root.Options.Add(CommonOptions.Offline);
root.Subcommands.Add(ClassifyCommand.Create());
root.Subcommands.Add(PreprocessCommand.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(SynthCommand.Create());
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(PullCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
root.Subcommands.Add(ConvertCommand.Create());
return CliHost.Invoke(root, args);
