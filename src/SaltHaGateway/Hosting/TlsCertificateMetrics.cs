using Prometheus;
using SaltHaGateway.Proxy.Upstreams;

namespace SaltHaGateway.Hosting;

/// <summary>
/// <c>saltha_tls_certificate_not_after_seconds{use,name}</c>: when each certificate the gateway presents expires,
/// read at each scrape. <c>use="listener"</c> is the https listener's certificate (name: its file, after any reload),
/// <c>use="upstream"</c> a client certificate an upstream is given (name: the upstream).
/// </summary>
public sealed class TlsCertificateMetrics(UpstreamTable upstreams, TlsCertificateSource? listener = null)
{
    private static readonly Gauge NotAfter = Metrics.CreateGauge("saltha_tls_certificate_not_after_seconds",
        "Expiry (notAfter) of a certificate the gateway presents, as a Unix time, by use (listener or upstream) and name.",
        new GaugeConfiguration { LabelNames = ["use", "name"] });

    private HashSet<(string, string)> _published = [];

    public void Update()
    {
        var now = new Dictionary<(string, string), DateTime>();
        if (listener is not null) now[("listener", listener.CertificateFile)] = listener.Certificate.NotAfter;
        foreach (var upstream in upstreams.All)
        {
            if (upstream.Options.Tls.ClientCertificate is { } client) now[("upstream", upstream.Name)] = client.NotAfter;
        }
        foreach (var ((use, name), notAfter) in now)
            NotAfter.WithLabels(use, name).Set(new DateTimeOffset(notAfter.ToUniversalTime()).ToUnixTimeSeconds());
        foreach (var (use, name) in _published)
        {
            if (!now.ContainsKey((use, name))) NotAfter.RemoveLabelled(use, name);
        }
        _published = [.. now.Keys];
    }
}
