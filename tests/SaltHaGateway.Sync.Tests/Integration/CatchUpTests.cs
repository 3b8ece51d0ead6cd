using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SaltHaGateway.Sync.Tests.Infrastructure;
using SaltHaGateway.Sync.Transport;

namespace SaltHaGateway.Sync.Tests.Integration;

/// <summary>
/// A large catch-up runs in many batches, each next batch requested while the current one is applied.
/// The request then carries what is durable (ack) apart from where to read (since).
/// </summary>
[Collection("integration")]
public sealed class CatchUpTests
{
    [Fact]
    public async Task A_backlog_of_many_batches_arrives_complete_and_is_acknowledged_once_applied()
    {
        await using var c = new Cluster(2);
        var (a, b) = (c.A, c.B);
        b.BatchSize = 25; // 300 files: twelve full batches, each followed by a read-ahead
        Directory.CreateDirectory(a.P("/srv/salt/many"));
        for (int i = 0; i < 300; i++) File.WriteAllText(a.P($"/srv/salt/many/f{i:000}.sls"), $"value: {i}\n");
        await a.StartAsync();
        await Wait.UntilAsync(() => a.Engine.GetStatus().Sequence >= 300, "a indexed its tree");
        await b.StartAsync();

        await Wait.UntilAsync(() => Directory.Exists(b.P("/srv/salt/many")) && Directory.GetFiles(b.P("/srv/salt/many")).Length == 300,
            "all 300 files on b", 60);
        for (int i = 0; i < 300; i++) Assert.Equal($"value: {i}\n", File.ReadAllText(b.P($"/srv/salt/many/f{i:000}.sls")));
        var aSequence = a.Engine.GetStatus().Sequence;
        await Wait.UntilAsync(() => b.Engine.GetStatus().Peers.Single().SequenceReceived == aSequence, "b's position at a's last entry");
        await Wait.UntilAsync(() => a.Engine.GetStatus().Peers.Single() is { SequenceAcked: var acked, PendingChanges: 0 } && acked == aSequence,
            "a sees everything acknowledged");
        Assert.Empty(Directory.GetFiles(b.P("/srv/.saltha-sync-staging")));
    }

    [Fact]
    public async Task A_read_ahead_request_acknowledges_only_what_it_says_is_durable()
    {
        await using var c = new Cluster(2);
        var (a, b) = (c.A, c.B);
        for (int i = 0; i < 10; i++) File.WriteAllText(a.P($"/srv/salt/f{i}.sls"), $"{i}\n");
        await a.StartAsync(); // b stays down; its certificate is used by hand below
        await Wait.UntilAsync(() => a.Engine.GetStatus().Sequence >= 10, "a indexed its tree");

        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls13,
                ClientCertificates = new X509CertificateCollection { b.Identity.Certificate },
                LocalCertificateSelectionCallback = (_, _, _, _, _) => b.Identity.Certificate,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
        }) { BaseAddress = new Uri(a.Url), Timeout = TimeSpan.FromSeconds(10) };
        var hello = await client.GetFromJsonAsync<HelloResponse>(SyncProtocol.HelloPath);
        long Acked() => a.Engine.GetStatus().Peers.Single().SequenceAcked;
        async Task<ChangesResponse> Changes(string query) =>
            (await client.GetFromJsonAsync<ChangesResponse>($"{SyncProtocol.ChangesPath}?index={hello!.IndexId}&limit=3&{query}"))!;

        var read = await Changes("since=5&ack=0");
        Assert.True(read.Entries.Count > 0 && read.Entries.All(e => e.Seq > 5), "entries after the read position");
        Assert.Equal(0, Acked());

        await Changes("since=5&ack=4");
        Assert.Equal(4, Acked());

        await Changes("since=6"); // without ack, the read position is the acknowledgement
        Assert.Equal(6, Acked());

        await Changes("since=2&ack=9"); // never more than was read up to
        Assert.Equal(2, Acked());
    }
}
