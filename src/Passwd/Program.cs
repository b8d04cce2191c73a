using MqttCluster.Core.CommandLine;
using MqttCluster.Core.Security;
using MqttCluster.Passwd;

// Everything but the terminal handling lives in Core (PasswdCommand), where it is tested.
var version = ProgramVersion.Describe(typeof(ConsolePasswordPrompt).Assembly);
return new PasswdCommand(Console.Out, Console.Error, new ConsolePasswordPrompt(), version).Run(args);
