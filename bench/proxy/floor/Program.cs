// yarp-floor: the least work a reverse proxy built on YARP does per request, to measure beside the gateway and nginx.
// Kestrel with one terminal middleware (no routing, no logging, no metrics) hands every request to YARP's
// IHttpForwarder with one SocketsHttpHandler, and sets the same four request headers as the benchmark's nginx
// (Host $host:$server_port, X-Forwarded-For, X-Real-IP, X-Forwarded-Proto). Socket completions and request
// processing run inline, as in the gateway. Whatever this costs, any proxy that keeps YARP as its forwarder pays.
//
//   yarp-floor run --config GATEWAY.json
//
// The command line is the gateway's, so bench/proxy/{run,allocs,latency}.sh start it like a gateway build: it reads
// the first Gateway.Listen URL and the first destination of the first cluster from that file and ignores the rest.
// FLOOR_MODE=respond answers "ok\n" itself instead of forwarding: Kestrel's share alone.
using System.Net;
using System.Text.Json;
using Yarp.ReverseProxy.Forwarder;

if (args is not ["run", "--config", var configPath])
{
    Console.Error.WriteLine("usage: yarp-floor run --config GATEWAY.json");
    return 2;
}
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

using var config = JsonDocument.Parse(File.ReadAllText(configPath));
var listen = new Uri(config.RootElement.GetProperty("Gateway").GetProperty("Listen")[0].GetString()!);
var cluster = config.RootElement.GetProperty("ReverseProxy").GetProperty("Clusters").EnumerateObject().First().Value;
var destination = cluster.GetProperty("Destinations").EnumerateObject().First().Value.GetProperty("Address").GetString()!;
bool respond = Environment.GetEnvironmentVariable("FLOOR_MODE") == "respond";

var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
{
    k.AddServerHeader = false;
    k.Listen(IPAddress.Parse(listen.Host), listen.Port);
});
builder.WebHost.UseSockets(s => s.UnsafePreferInlineScheduling = true);
builder.Services.AddHttpForwarder();
var app = builder.Build();

if (respond)
{
    var ok = "ok\n"u8.ToArray();
    app.Run(context =>
    {
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = ok.Length;
        return context.Response.Body.WriteAsync(ok, 0, ok.Length);
    });
}
else
{
    var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
    var invoker = new HttpMessageInvoker(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ActivityHeadersPropagator = null,
        ConnectTimeout = TimeSpan.FromSeconds(60),
    });
    var transformer = new NginxHeaders();
    app.Run(Forward);

    // The ForwarderError is not looked at: a failure has already been answered with 502/504 by the forwarder.
    Task Forward(HttpContext context) => forwarder.SendAsync(context, destination, invoker, ForwarderRequestConfig.Empty, transformer).AsTask();
}
app.Run();
return 0;

/// <summary>The request headers the benchmark's nginx sets (bench/lib.sh), on top of YARP's header copy.</summary>
internal sealed class NginxHeaders : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext context, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(context, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.Headers.Host = context.Request.Host.Value;
        var client = context.Connection.RemoteIpAddress?.ToString();
        proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-For", client);
        proxyRequest.Headers.TryAddWithoutValidation("X-Real-IP", client);
        proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Proto", context.Request.Scheme);
    }
}
