using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using SaltHaGateway.Vrrp;
using SaltHaGateway.Vrrp.VrrpNode;

// Usage: VrrpNode CONFIG.json [--admin URL] [--file-condition NAME=PATH ...]
// The admin URL serves /vrrp/status and /metrics (loopback of the node's namespace).
// A file condition is up while PATH exists, which lets tests flip tracking from outside the namespace.
var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
builder.WebHost.UseKestrelCore();
builder.Services.AddRoutingCore();
builder.Configuration.AddJsonFile(Path.GetFullPath(args[0]), optional: false);
builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
string admin = "http://127.0.0.1:0";
for (int i = 1; i + 1 < args.Length; i += 2)
{
    if (args[i] == "--file-condition")
    {
        var parts = args[i + 1].Split('=', 2);
        builder.Services.AddSingleton<ITrackedCondition>(new FileCondition(parts[0], parts[1]));
    }
    else if (args[i] == "--admin")
    {
        admin = args[i + 1];
    }
}
builder.WebHost.UseUrls(admin);
try
{
    builder.Services.AddVrrp(builder.Configuration.GetSection("Vrrp"));
}
catch (VrrpConfigurationException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
var app = builder.Build();
app.UseRouting();
app.MapVrrpStatus();
app.MapMetrics();
foreach (var c in app.Services.GetServices<ITrackedCondition>().OfType<FileCondition>())
{
    c.Start();
}
try
{
    await app.RunAsync();
}
catch (VrrpStartupException e)
{
    Console.Error.WriteLine(e.Message);
    return 3;
}
return 0;
