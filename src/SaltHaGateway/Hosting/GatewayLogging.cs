using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace SaltHaGateway.Hosting;

/// <summary>Serilog for the whole process: readable console lines by default, one JSON object per line with
/// <c>Gateway:Log:Format=json</c>. Framework chatter (per-request lines from ASP.NET Core and YARP) is kept at
/// Warning so logs carry state changes, not traffic.</summary>
public static class GatewayLogging
{
    /// <summary>A level above Fatal: nothing from the category is written.</summary>
    private const LogEventLevel Off = (LogEventLevel)((int)LogEventLevel.Fatal + 1);

    public static Serilog.Core.Logger Create(bool json, LogEventLevel level)
    {
        var config = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("Yarp", LogEventLevel.Warning)
            // A failed try is reported once, by the gateway, as a state change; YARP would add a stack trace per request.
            .MinimumLevel.Override("Yarp.ReverseProxy.Forwarder.HttpForwarder", LogEventLevel.Error)
            .MinimumLevel.Override("Microsoft.AspNetCore.DataProtection", LogEventLevel.Error)
            // ASP.NET Core starts an Activity and a log scope for every request while its hosting logger is enabled at
            // any level; nothing here reads them, and HttpClient would add a traceparent header upstream (nginx does not).
            .MinimumLevel.Override("Microsoft.AspNetCore.Hosting.Diagnostics", Off)
            .MinimumLevel.Override("System.Net.Http", LogEventLevel.Warning)
            // "Not ready" is what /readyz answers while the node starts or drains; the answer says it, the log need not.
            .MinimumLevel.Override("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", Off)
            .Enrich.FromLogContext();
        config = json
            ? config.WriteTo.Console(new RenderedCompactJsonFormatter(), standardErrorFromLevel: null)
            : config.WriteTo.Console(outputTemplate: "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffzzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: null);
        return config.CreateLogger();
    }
}
