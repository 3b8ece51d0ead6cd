using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Vrrp;
using SaltHaGateway.Vrrp.VrrpNode;

// Usage: VrrpNode CONFIG.json [--status-file PATH] [--file-condition NAME=PATH ...]
// A file condition is up while PATH exists, which lets tests flip tracking from outside the namespace.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
builder.Configuration.AddJsonFile(Path.GetFullPath(args[0]), optional: false);
builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
for (int i = 1; i + 1 < args.Length; i += 2)
{
    if (args[i] == "--file-condition")
    {
        var parts = args[i + 1].Split('=', 2);
        builder.Services.AddSingleton<ITrackedCondition>(new FileCondition(parts[0], parts[1]));
    }
}
try
{
    builder.Services.AddVrrp(builder.Configuration.GetSection("Vrrp"));
}
catch (VrrpConfigurationException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
using var host = builder.Build();
foreach (var c in host.Services.GetServices<ITrackedCondition>().OfType<FileCondition>())
{
    c.Start();
}
try
{
    await host.RunAsync();
}
catch (VrrpStartupException e)
{
    Console.Error.WriteLine(e.Message);
    return 3;
}
return 0;
