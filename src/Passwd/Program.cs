using MqttCluster.Core.Security;
using MqttCluster.Passwd;

// Everything but the terminal handling lives in Core (PasswdCommand), where it is tested.
return new PasswdCommand(Console.Out, Console.Error, new ConsolePasswordPrompt()).Run(args);
