using System.Net.Security;

namespace SaltHaGateway.Hosting;

/// <summary>
/// The TLS settings each new https connection gets. The certificate and key files are looked at again at most every
/// <see cref="CheckInterval"/> (on a new connection) and reloaded when either file's time or size has changed, as
/// <c>nginx -s reload</c> would after a certbot renewal: connections from then on get the new certificate. A new
/// pair that does not load (a half-written file, a key that does not match) keeps the old one and logs an error
/// naming the file; the next change is tried again.
/// </summary>
public sealed partial class TlsCertificateSource : IDisposable
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);
    private static readonly List<SslApplicationProtocol> Alpn = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    private readonly TlsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CipherSuitesPolicy? _ciphers;
    private readonly Lock _lock = new();
    private PemCertificatePair _pair;
    private SslStreamCertificateContext _context;
    private (FileStamp Certificate, FileStamp Key) _loaded;
    private DateTimeOffset _checked;

    /// <exception cref="PemCertificatePair.LoadException">The files do not load at start.</exception>
    public TlsCertificateSource(TlsOptions options, TimeProvider time, ILogger<TlsCertificateSource> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        if (options.CipherSuites is { } suites && !OperatingSystem.IsWindows()) _ciphers = new CipherSuitesPolicy(suites);
        _loaded = Stamps();
        _pair = PemCertificatePair.Load(options.Certificate, options.CertificateKey);
        _context = SslStreamCertificateContext.Create(_pair.Leaf, _pair.Chain, offline: true);
        _checked = time.GetUtcNow();
    }

    /// <summary>The certificate file (Gateway:Tls:Certificate).</summary>
    public string CertificateFile => _options.Certificate;

    /// <summary>The certificate new connections get now.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate
    {
        get
        {
            Refresh();
            return _pair.Leaf;
        }
    }

    /// <summary>What one https handshake uses: the current certificate and chain, protocols, suites, and ALPN
    /// (h2 and http/1.1).</summary>
    public SslServerAuthenticationOptions ServerOptions()
    {
        Refresh();
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _context,
            EnabledSslProtocols = _options.Protocols,
            CipherSuitesPolicy = _ciphers,
            ApplicationProtocols = Alpn,
            ClientCertificateRequired = false,
        };
    }

    private void Refresh()
    {
        if (_time.GetUtcNow() - _checked < CheckInterval) return;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (now - _checked < CheckInterval) return;
            _checked = now;
            var stamps = Stamps();
            if (stamps == _loaded) return;
            _loaded = stamps;
            try
            {
                var pair = PemCertificatePair.Load(_options.Certificate, _options.CertificateKey);
                _context = SslStreamCertificateContext.Create(pair.Leaf, pair.Chain, offline: true);
                // Connections that started with the old pair keep their own references to it.
                _pair = pair;
                LogReloaded(_options.Certificate, pair.Leaf.Subject, pair.Leaf.NotAfter.ToUniversalTime());
            }
            catch (PemCertificatePair.LoadException e)
            {
                LogReloadFailed(e.Key == "Certificate" ? _options.Certificate : _options.CertificateKey, e.Message);
            }
        }
    }

    private (FileStamp, FileStamp) Stamps() => (FileStamp.Of(_options.Certificate), FileStamp.Of(_options.CertificateKey));

    public void Dispose() => _pair.Dispose();

    /// <summary>A file's modification time and size (a missing file has neither).</summary>
    private readonly record struct FileStamp(DateTime Modified, long Length)
    {
        public static FileStamp Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(info.LastWriteTimeUtc, info.Length) : default;
        }
    }

    [LoggerMessage(EventId = 4701, Level = LogLevel.Information, Message = "TLS certificate {File} reloaded: {Subject}, valid until {NotAfter:u}")]
    private partial void LogReloaded(string file, string subject, DateTime notAfter);

    [LoggerMessage(EventId = 4702, Level = LogLevel.Error, Message = "TLS certificate not reloaded, the previous one stays in use: {File}: {Reason}")]
    private partial void LogReloadFailed(string file, string reason);
}
