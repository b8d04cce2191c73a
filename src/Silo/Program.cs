using MqttCluster.Silo.Hosting;

if (BrokerCommandLine.IsHelpRequested(args))
{
    Console.Out.Write(BrokerCommandLine.HelpText);
    return 0;
}

// Settings files sit next to the binary, so the broker starts the same from any working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(args, BrokerCommandLine.SwitchMappings);
builder.AddSingleNodeBroker();

var app = builder.Build();
app.MapSingleNodeBroker();
await app.RunAsync();
return 0;
