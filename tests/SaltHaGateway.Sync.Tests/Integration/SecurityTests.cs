using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SaltHaGateway.Sync.Identity;
using SaltHaGateway.Sync.Tests.Infrastructure;
using SaltHaGateway.Sync.Transport;

namespace SaltHaGateway.Sync.Tests.Integration;

[Collection("integration")]
public sealed class SecurityTests
{
    private static HttpClient Client(X509Certificate2? clientCert) => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificates = clientCert is null ? null : new X509CertificateCollection { clientCert },
            LocalCertificateSelectionCallback = clientCert is null ? null : (_, _, _, _, _) => clientCert,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        },
    })
    { Timeout = TimeSpan.FromSeconds(10) };

    private static async Task<HttpStatusCode?> TryGet(HttpClient client, string url)
    {
        try
        {
            using var r = await client.GetAsync(url);
            return r.StatusCode;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"refused: {url}: {e.Message} {e.InnerException?.Message}");
            return null; // handshake refused
        }
    }

    [Fact]
    public async Task Unknown_or_missing_client_certificates_can_neither_read_nor_write()
    {
        await using var c = new Cluster(2);
        await c.StartAsync();
        File.WriteAllText(c.A.P("/srv/salt/secret.sls"), "password: x\n");
        var url = c.A.Url;

        using var stranger = CertificateRequestFor("CN=stranger");
        foreach (var cert in new[] { null, stranger })
        {
            using var client = Client(cert);
            Assert.Null(await TryGet(client, url + SyncProtocol.HelloPath));
            Assert.Null(await TryGet(client, url + SyncProtocol.ChangesPath + "?since=0"));
            Assert.Null(await TryGet(client, url + SyncProtocol.ContentPath + "?root=/srv/salt&path=secret.sls&sha256=x"));
        }

        // Control: the pinned peer's certificate is let in.
        using var peer = Client(c.B.Identity.Certificate);
        Assert.Equal(HttpStatusCode.OK, await TryGet(peer, url + SyncProtocol.HelloPath));
    }

    [Fact]
    public async Task A_peer_whose_certificate_does_not_match_the_pinned_fingerprint_gets_nothing_and_sends_nothing()
    {
        await using var c = new Cluster(2);
        var (a, b) = (c.A, c.B);
        a.Peers.Clear();
        a.Extra["ConfigSync:Peers:0:Url"] = b.Url;
        a.Extra["ConfigSync:Peers:0:Fingerprint"] = new string('7', 64);
        await c.StartAsync();
        File.WriteAllText(a.P("/srv/salt/from-a.sls"), "a\n");
        File.WriteAllText(b.P("/srv/salt/from-b.sls"), "b\n");

        await Wait.UntilAsync(() => a.Engine.GetStatus().Peers.Single() is { Connected: false, LastError: not null }, "a refuses b's certificate");
        await Wait.UntilAsync(() => b.Engine.GetStatus().Peers.Single() is { Connected: false, LastError: not null }, "b is refused by a");
        await Wait.UntilAsync(() => a.Engine.GetStatus().Sequence > 0 && b.Engine.GetStatus().Sequence > 0, "both indexed their files");
        Assert.False(File.Exists(b.P("/srv/salt/from-a.sls")));
        Assert.False(File.Exists(a.P("/srv/salt/from-b.sls")));
    }

    private static X509Certificate2 CertificateRequestFor(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    [Fact]
    public async Task Traversal_absolute_and_symlink_escapes_from_a_peer_are_refused_and_nothing_is_written()
    {
        using var dir = new TempDir();
        var outside = Path.Combine(dir.Path, "outside");
        Directory.CreateDirectory(outside);
        var evilIdentity = NodeIdentity.LoadOrCreate(Path.Combine(dir.Path, "evil")).Identity;

        var node = new TestNode(dir.Path, "a");
        // A symlink planted on disk that points out of the root: must not be followed by writes.
        File.CreateSymbolicLink(node.P("/srv/salt/planted"), outside);
        string Data(string s) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(s));
        string Sha(string s) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(s)));
        WireEntry File_(string root, string path, string content, long seq) =>
            new(root, path, 1, false, Sha(content), content.Length, 0x1A4, 0, 0, 1_000_000_000, null, $"{evilIdentity.NodeId}:{seq}", evilIdentity.NodeId, 1, seq, Data(content));
        WireEntry Link(string path, string target, long seq) =>
            new("/srv/salt", path, 3, false, null, 0, 0, 0, 0, 0, target, $"{evilIdentity.NodeId}:{seq}", evilIdentity.NodeId, 1, seq, null);
        var entries = new List<WireEntry>
        {
            File_("/srv/salt", "../../outside/evil1", "x", 1),
            File_("/srv/salt", "/" + outside.TrimStart('/') + "/evil2", "x", 2),
            File_("/srv/salt", "a/../../../outside/evil3", "x", 3),
            File_("/etc", "passwd", "x", 4),
            Link("esc", outside, 5),
            Link("esc2", "../../../../../outside", 6),
            File_("/srv/salt", "planted/evil4", "x", 7),
            File_("/srv/salt", "ok.sls", "fine\n", 8),
        };
        await using var evil = await FakePeer.StartAsync(evilIdentity, entries);
        node.Extra["ConfigSync:Peers:0:Url"] = evil.Url;
        node.Extra["ConfigSync:Peers:0:Fingerprint"] = evilIdentity.Fingerprint;
        node.RootList = ["/srv/salt"];
        await using (node)
        {
            await node.StartAsync();
            await Wait.UntilAsync(() => File.Exists(node.P("/srv/salt/ok.sls")), "the legitimate entry after the hostile ones");
            Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
            Assert.False(Path.Exists(node.P("/srv/salt/esc")));
            Assert.False(Path.Exists(node.P("/srv/salt/esc2")));
            Assert.False(Path.Exists(node.P("/etc/passwd")));
            Assert.Equal(outside, new FileInfo(node.P("/srv/salt/planted")).LinkTarget);
            Assert.Equal(["ok.sls", "planted"], Directory.EnumerateFileSystemEntries(node.P("/srv/salt")).Select(Path.GetFileName).Order());
            Assert.Contains(PrefixLoggerProvider.Lines, l => l.Contains("not a plain directory"));
        }
    }
}
