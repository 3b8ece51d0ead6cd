using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace SaltHaGateway.Health;

/// <summary>
/// How the gateway speaks TLS to one upstream's servers (nginx's proxy_ssl_* directives), shared by the proxy and
/// the health checks so both see a server the same way. Files are already read; equality compares the settings
/// and a digest of the files' contents, so a reload notices a replaced certificate.
/// </summary>
public sealed record UpstreamTls
{
    public const SslProtocols DefaultProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>nginx's defaults: no verification, no SNI, TLS 1.2 and 1.3, no client certificate.</summary>
    public static UpstreamTls Default { get; } = new();

    /// <summary>proxy_ssl_verify: the server's chain must end in <see cref="TrustedCertificates"/> and its
    /// certificate must match the name.</summary>
    public bool Verify { get; init; }
    /// <summary>The only roots a chain may end in (the system's roots are not used, as with nginx).</summary>
    public X509Certificate2Collection TrustedCertificates { get; init; } = [];
    /// <summary>How many intermediate CA certificates may stand between the server's certificate and the trusted one
    /// (OpenSSL's verify depth, as nginx uses it): the default 1 allows one, 0 needs a certificate issued by (or
    /// being) a trusted certificate.</summary>
    public int VerifyDepth { get; init; } = 1;
    /// <summary>The name to verify and (with <see cref="SendServerName"/>) to send as SNI; null means the
    /// destination's host.</summary>
    public string? Name { get; init; }
    /// <summary>proxy_ssl_server_name: send the name as SNI. .NET never sends an IP address as SNI.</summary>
    public bool SendServerName { get; init; }
    public SslProtocols Protocols { get; init; } = DefaultProtocols;
    /// <summary>Presented when the server asks for a client certificate; null sends none.</summary>
    public X509Certificate2? ClientCertificate { get; init; }
    /// <summary>A digest of the certificate and key files' contents; empty when no file is used.</summary>
    public string FilesDigest { get; init; } = "";

    public bool Equals(UpstreamTls? other) =>
        other is not null && Verify == other.Verify && VerifyDepth == other.VerifyDepth && Name == other.Name
        && SendServerName == other.SendServerName && Protocols == other.Protocols && FilesDigest == other.FilesDigest;

    public override int GetHashCode() => HashCode.Combine(Verify, VerifyDepth, Name, SendServerName, Protocols, FilesDigest);

    /// <summary>The name a server at <paramref name="host"/> is verified against.</summary>
    public string NameFor(string host) => Name ?? host;

    /// <summary>
    /// Handshake options for one connection to <paramref name="host"/>. A certificate this side rejects is
    /// described to <paramref name="rejected"/> before the handshake fails, so the failure can say why.
    /// </summary>
    public SslClientAuthenticationOptions ClientOptions(string host, Action<string>? rejected = null)
    {
        var name = NameFor(host);
        var client = ClientCertificate;
        return new SslClientAuthenticationOptions
        {
            // An empty target sends no SNI (nginx's proxy_ssl_server_name off).
            TargetHost = SendServerName ? name : "",
            EnabledSslProtocols = Protocols,
            // No revocation lookups and no downloads of missing issuers: the gateway only talks to its upstreams.
            CertificateChainPolicy = new X509ChainPolicy
            {
                RevocationMode = X509RevocationMode.NoCheck,
                DisableCertificateDownloads = true,
            },
            // Always the configured certificate, whatever issuers the server names (as nginx does).
            LocalCertificateSelectionCallback = client is null ? null : (_, _, _, _, _) => client,
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                if (!Verify) return true;
                var reason = Check(certificate, chain, name);
                if (reason is not null) rejected?.Invoke(reason);
                return reason is null;
            },
        };
    }

    /// <summary>
    /// Verifies a server certificate as nginx does with proxy_ssl_verify on: the chain ends in one of the trusted
    /// certificates and is within the depth, then the certificate matches <paramref name="name"/>.
    /// Returns why it is rejected, or null when it is accepted.
    /// </summary>
    public string? Check(X509Certificate? certificate, X509Chain? presented, string name, DateTime? now = null)
    {
        if (certificate is null) return "the server sent no certificate";
        using var owned = certificate as X509Certificate2 is null ? new X509Certificate2(certificate) : null;
        var leaf = owned ?? (X509Certificate2)certificate;

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(TrustedCertificates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (now is { } at) chain.ChainPolicy.VerificationTime = at;
        if (presented is not null)
        {
            // The intermediates the server sent.
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }

        if (!chain.Build(leaf))
        {
            var status = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
            var time = now ?? DateTime.Now;
            if ((status & X509ChainStatusFlags.NotTimeValid) != 0)
            {
                return leaf.NotAfter < time
                    ? $"certificate expired on {leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z"
                    : $"certificate is not valid before {leaf.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z";
            }
            if ((status & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
            {
                return leaf.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData)
                    ? $"self-signed certificate \"{leaf.Subject}\" is not a trusted certificate"
                    : $"certificate chain is not trusted: issuer \"{leaf.Issuer}\" does not lead to a trusted certificate";
            }
            return "certificate not trusted: " + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()));
        }
        // Neither the server's certificate nor the trusted one at the end counts, as with OpenSSL.
        var intermediates = Math.Max(0, chain.ChainElements.Count - 2);
        if (intermediates > VerifyDepth)
            return $"certificate chain too long: {intermediates} intermediate certificates, verify depth is {VerifyDepth}";
        if (!leaf.MatchesHostname(name))
            return $"certificate does not match the name \"{name}\" (subject \"{leaf.Subject}\")";
        return null;
    }

    /// <summary>Why a handshake failed when no certificate was rejected: a protocol mismatch or the innermost error.</summary>
    public string DescribeHandshakeFailure(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        var message = inner.Message.Trim();
        if (message.Contains("protocol version", StringComparison.OrdinalIgnoreCase)
            || message.Contains("unsupported protocol", StringComparison.OrdinalIgnoreCase)
            || message.Contains("no protocols available", StringComparison.OrdinalIgnoreCase))
            return $"protocol mismatch: the server accepts none of {ProtocolNames(Protocols)} ({message})";
        return $"handshake failed: {message}";
    }

    /// <summary>nginx's spelling of a protocol set, e.g. "TLSv1.2 TLSv1.3".</summary>
    public static string ProtocolNames(SslProtocols protocols)
    {
        var names = new List<string>();
        if ((protocols & SslProtocols.Tls12) != 0) names.Add("TLSv1.2");
        if ((protocols & SslProtocols.Tls13) != 0) names.Add("TLSv1.3");
        return string.Join(' ', names);
    }
}
