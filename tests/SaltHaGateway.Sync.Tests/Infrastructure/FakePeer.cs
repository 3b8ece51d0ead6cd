using System.Net;
using System.Security.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Sync.Identity;
using SaltHaGateway.Sync.Transport;

namespace SaltHaGateway.Sync.Tests.Infrastructure;

/// <summary>A hostile peer: speaks the protocol with a pinned certificate but serves crafted entries.</summary>
public sealed class FakePeer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakePeer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public static async Task<FakePeer> StartAsync(NodeIdentity identity, List<WireEntry> entries)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = identity.Certificate,
            SslProtocols = SslProtocols.Tls13,
            ClientCertificateMode = ClientCertificateMode.AllowCertificate,
            ClientCertificateValidation = (_, _, _) => true,
        })));
        var app = builder.Build();
        app.MapGet(SyncProtocol.HelloPath, () => Results.Json(new HelloResponse(1, identity.NodeId, "evilindex", entries.Count, ["/srv/salt"])));
        app.MapGet(SyncProtocol.ChangesPath, async (long since) =>
        {
            var rest = entries.Where(e => e.Seq > since).ToList();
            if (rest.Count == 0) await Task.Delay(500);
            return Results.Json(new ChangesResponse("evilindex", Math.Max(since, entries.Max(e => e.Seq)), entries.Count, rest),
                new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FakePeer(app, address.Replace("[::]", "127.0.0.1"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
