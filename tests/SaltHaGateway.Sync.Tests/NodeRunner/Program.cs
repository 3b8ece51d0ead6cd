using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Sync;
using SaltHaGateway.Sync.Hosting;

// Usage: NodeRunner <config.json>   (ConfigSync section + optional Test:RootPrefix, Test:LogLevel)
//        NodeRunner init <state-dir>
// Prints "READY <peer endpoint>" once the node serves peers.
if (args is ["init", var stateDir]) return SyncInitCommand.Run(stateDir, Console.Out, Console.Error);
var builder = Host.CreateApplicationBuilder();
builder.Configuration.Sources.Clear();
builder.Configuration.AddJsonFile(Path.GetFullPath(args[0]), optional: false);
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Logging.SetMinimumLevel(Enum.Parse<LogLevel>(builder.Configuration["Test:LogLevel"] ?? "Warning"));
builder.Services.AddConfigSync(builder.Configuration.GetSection("ConfigSync"),
    new SyncEngineSettings { RootPrefix = builder.Configuration["Test:RootPrefix"] });
using var host = builder.Build();
await host.StartAsync();
var engine = host.Services.GetRequiredService<SyncEngine>();
while (engine.PeerEndpoint is null) await Task.Delay(20);
Console.WriteLine($"READY {engine.PeerEndpoint}");
await host.WaitForShutdownAsync();
return 0;
