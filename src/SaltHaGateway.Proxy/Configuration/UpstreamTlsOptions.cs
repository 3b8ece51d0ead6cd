using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SaltHaGateway.Health;

namespace SaltHaGateway.Proxy.Configuration;

/// <summary>
/// Reads a cluster's <c>ProxySsl*</c> metadata (nginx's proxy_ssl_* directives, same names and defaults) into the
/// <see cref="UpstreamTls"/> the proxy and the health checks use. Files are read here, so a missing or bad file is
/// a config error naming its key; relative paths are taken from the config file's directory.
/// </summary>
public static class UpstreamTlsOptions
{
    public static readonly IReadOnlyList<string> Keys =
    [
        "ProxySslVerify", "ProxySslTrustedCertificate", "ProxySslVerifyDepth", "ProxySslName", "ProxySslServerName",
        "ProxySslProtocols", "ProxySslCertificate", "ProxySslCertificateKey",
    ];

    /// <summary>Builds the settings from the keys found (name → value and JSON path); problems go to <paramref name="errors"/>.</summary>
    public static UpstreamTls Parse(IReadOnlyDictionary<string, (string Value, string Path)> keys, string? baseDirectory, List<ConfigError> errors)
    {
        if (keys.Count == 0) return UpstreamTls.Default;
        var tls = UpstreamTls.Default;
        var digest = new StringBuilder();

        if (keys.TryGetValue("ProxySslVerify", out var verify))
        {
            if (TryOnOff(verify.Value, out var on)) tls = tls with { Verify = on };
            else errors.Add(new(verify.Path, $"invalid value \"{verify.Value}\": expected on or off"));
        }
        if (keys.TryGetValue("ProxySslServerName", out var sni))
        {
            if (TryOnOff(sni.Value, out var on)) tls = tls with { SendServerName = on };
            else errors.Add(new(sni.Path, $"invalid value \"{sni.Value}\": expected on or off"));
        }
        if (keys.TryGetValue("ProxySslVerifyDepth", out var depth))
        {
            if (int.TryParse(depth.Value, out var d) && d >= 0) tls = tls with { VerifyDepth = d };
            else errors.Add(new(depth.Path, $"invalid value \"{depth.Value}\": expected a number of certificates (0 or more)"));
        }
        if (keys.TryGetValue("ProxySslName", out var name))
        {
            if (string.IsNullOrWhiteSpace(name.Value)) errors.Add(new(name.Path, "empty: give the name to verify and send, or leave the key out for the destination's host"));
            else if (name.Value.Contains('$')) errors.Add(new(name.Path, $"invalid value \"{name.Value}\": variables are not supported; give a fixed name"));
            else tls = tls with { Name = name.Value.Trim() };
        }
        if (keys.TryGetValue("ProxySslProtocols", out var protocols))
        {
            if (TryProtocols(protocols.Value, out var p, out var problem)) tls = tls with { Protocols = p };
            else errors.Add(new(protocols.Path, problem!));
        }
        if (keys.TryGetValue("ProxySslTrustedCertificate", out var trusted))
        {
            if (TryRead(trusted, baseDirectory, errors, out var pem, digest))
            {
                var collection = new X509Certificate2Collection();
                try
                {
                    collection.ImportFromPem(pem);
                }
                catch (CryptographicException e)
                {
                    errors.Add(new(trusted.Path, $"\"{trusted.Value}\" is not a PEM certificate file: {e.Message}"));
                }
                if (collection.Count == 0 && !errors.Any(e => e.Path == trusted.Path))
                    errors.Add(new(trusted.Path, $"\"{trusted.Value}\" holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
                tls = tls with { TrustedCertificates = collection };
            }
        }
        else if (tls.Verify)
        {
            // nginx refuses this at load ("no proxy_ssl_trusted_certificate for proxy_ssl_verify"): with no roots
            // every verification would fail.
            errors.Add(new(verify.Path, "on needs ProxySslTrustedCertificate: the gateway verifies against those certificates only, not the system's roots"));
        }

        keys.TryGetValue("ProxySslCertificate", out var certificate);
        keys.TryGetValue("ProxySslCertificateKey", out var key);
        if (certificate.Path is not null && key.Path is null)
            errors.Add(new(certificate.Path, "needs ProxySslCertificateKey: the private key of the client certificate"));
        else if (key.Path is not null && certificate.Path is null)
            errors.Add(new(key.Path, "needs ProxySslCertificate: the client certificate this key belongs to"));
        else if (certificate.Path is not null
                 && TryRead(certificate, baseDirectory, errors, out var certificatePem, digest)
                 && TryRead(key, baseDirectory, errors, out var keyPem, digest))
        {
            if (TryClientCertificate(certificate, key, certificatePem, keyPem, errors, out var client))
                tls = tls with { ClientCertificate = client };
        }

        if (digest.Length > 0) tls = tls with { FilesDigest = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(digest.ToString()))) };
        return tls;
    }

    private static bool TryClientCertificate((string Value, string Path) certificate, (string Value, string Path) key,
        string certificatePem, string keyPem, List<ConfigError> errors, out X509Certificate2? client)
    {
        client = null;
        try
        {
            using var alone = X509Certificate2.CreateFromPem(certificatePem);
        }
        catch (CryptographicException e)
        {
            errors.Add(new(certificate.Path, $"\"{certificate.Value}\" is not a PEM certificate file: {e.Message}"));
            return false;
        }
        try
        {
            client = X509Certificate2.CreateFromPem(certificatePem, keyPem);
            return true;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            errors.Add(new(key.Path, $"\"{key.Value}\" is not a PEM private key of the certificate (an encrypted key is not supported): {e.Message}"));
            return false;
        }
    }

    private static bool TryRead((string Value, string Path) key, string? baseDirectory, List<ConfigError> errors, out string text, StringBuilder digest)
    {
        text = "";
        if (string.IsNullOrWhiteSpace(key.Value))
        {
            errors.Add(new(key.Path, "empty: expected the path of a PEM file"));
            return false;
        }
        var full = Path.GetFullPath(Path.Combine(baseDirectory ?? Directory.GetCurrentDirectory(), key.Value));
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : "cannot read the file: " + e.Message;
            errors.Add(new(key.Path, $"{why} ({full})"));
            return false;
        }
        digest.Append(key.Path).Append('\n').Append(text).Append('\n');
        return true;
    }

    private static bool TryOnOff(string value, out bool on)
    {
        on = value.Trim().Equals("on", StringComparison.OrdinalIgnoreCase);
        return on || value.Trim().Equals("off", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>nginx's list, e.g. "TLSv1.2 TLSv1.3"; older protocols are refused.</summary>
    public static bool TryProtocols(string value, out SslProtocols protocols, out string? error)
    {
        protocols = SslProtocols.None;
        error = null;
        foreach (var token in value.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            switch (token.ToUpperInvariant())
            {
                case "TLSV1.2": protocols |= SslProtocols.Tls12; break;
                case "TLSV1.3": protocols |= SslProtocols.Tls13; break;
                case "SSLV2" or "SSLV3" or "TLSV1" or "TLSV1.1":
                    error = $"protocol \"{token}\" is not supported: the gateway speaks TLSv1.2 and TLSv1.3 only";
                    return false;
                default:
                    error = $"unknown protocol \"{token}\": expected TLSv1.2 and/or TLSv1.3";
                    return false;
            }
        }
        if (protocols == SslProtocols.None) error = "empty: expected TLSv1.2 and/or TLSv1.3";
        return error is null;
    }
}
