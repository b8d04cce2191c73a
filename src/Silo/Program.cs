using Microsoft.Extensions.Options;
using MqttCluster.Silo.Hosting;

if (BrokerCommandLine.IsHelpRequested(args))
{
    Console.Out.Write(BrokerCommandLine.HelpText);
    return 0;
}

try
{
    // Settings files sit next to the binary, so the broker starts the same from any working directory.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
    builder.Configuration.AddCommandLine(args, BrokerCommandLine.SwitchMappings);
    builder.AddSingleNodeBroker();

    var app = builder.Build();
    app.MapSingleNodeBroker();
    await app.RunAsync();
    return 0;
}
catch (Exception exception) when (exception is OptionsValidationException or InvalidOperationException { InnerException: ArgumentException })
{
    // A setting that cannot work: one clear line and a non-zero exit, not a stack trace.
    await Console.Error.WriteLineAsync($"Invalid configuration: {exception.Message}");
    return 2;
}
