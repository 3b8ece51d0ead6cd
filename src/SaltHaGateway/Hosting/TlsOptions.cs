using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Hosting;

/// <summary>
/// The <c>Gateway:Tls</c> section, for the https:// listeners (nginx's <c>ssl_certificate</c>,
/// <c>ssl_certificate_key</c>, <c>ssl_protocols</c>, <c>ssl_ciphers</c>). The certificate and key files are read
/// again when they change (see <see cref="TlsCertificateSource"/>); the rest takes a restart.
/// </summary>
/// <param name="CipherSuites">Null: the platform's default suites.</param>
public sealed record TlsOptions(string Certificate, string CertificateKey, SslProtocols Protocols, IReadOnlyList<TlsCipherSuite>? CipherSuites)
{
    public const string DefaultProtocols = "TLSv1.2 TLSv1.3";
    private static readonly string[] KnownKeys = ["Certificate", "CertificateKey", "Protocols", "Ciphers"];

    /// <param name="required">An https listener is configured: the section must be there.</param>
    public static TlsOptions? Parse(IConfigurationSection tls, bool required, List<ConfigError> errors, List<ConfigError> warnings, TimeProvider time)
    {
        if (!tls.Exists())
        {
            if (required) errors.Add(new("Gateway:Tls", "missing: an https:// listener in Gateway:Listen needs Certificate and CertificateKey (PEM files)"));
            return null;
        }
        var errorCount = errors.Count;
        foreach (var child in tls.GetChildren())
        {
            if (!KnownKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                errors.Add(new($"Gateway:Tls:{child.Key}", "unknown key; expected " + string.Join(", ", KnownKeys)));
        }
        var certificate = File(tls, "Certificate", errors);
        var key = File(tls, "CertificateKey", errors);
        var protocols = ParseProtocols(tls["Protocols"] ?? DefaultProtocols, errors);

        IReadOnlyList<TlsCipherSuite>? suites = null;
        if (tls["Ciphers"] is { } ciphers)
        {
            if (OpenSslCiphers.Parse(ciphers, out var cipherError) is { } parsed)
            {
                suites = parsed.Suites;
                warnings.AddRange(parsed.Warnings.Select(w => new ConfigError("Gateway:Tls:Ciphers", w)));
                if (suites is not null && !protocols.HasFlag(SslProtocols.Tls12))
                    warnings.Add(new("Gateway:Tls:Ciphers", "names TLS 1.2 suites, but Protocols does not allow TLSv1.2"));
            }
            else errors.Add(new("Gateway:Tls:Ciphers", cipherError!));
        }

        if (certificate is not null && key is not null)
        {
            try
            {
                using var pair = PemCertificatePair.Load(certificate, key);
                if (pair.Leaf.NotAfter.ToUniversalTime() < time.GetUtcNow().UtcDateTime)
                    warnings.Add(new("Gateway:Tls:Certificate", $"the certificate in {certificate} expired on {pair.Leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC; clients will refuse it"));
                else if (pair.Leaf.NotBefore.ToUniversalTime() > time.GetUtcNow().UtcDateTime)
                    warnings.Add(new("Gateway:Tls:Certificate", $"the certificate in {certificate} is not valid before {pair.Leaf.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC"));
            }
            catch (PemCertificatePair.LoadException e)
            {
                errors.Add(new($"Gateway:Tls:{e.Key}", e.Message));
            }
        }
        return errors.Count == errorCount ? new TlsOptions(certificate!, key!, protocols, suites) : null;
    }

    private static string? File(IConfigurationSection tls, string name, List<ConfigError> errors)
    {
        var path = tls[name];
        string? problem = path switch
        {
            null or "" => "missing: the path of a PEM file",
            _ when !Path.IsPathFullyQualified(path) => $"\"{path}\" is not an absolute path",
            _ when !System.IO.File.Exists(path) => $"{path}: no such file",
            _ => null,
        };
        if (problem is null) return path;
        errors.Add(new($"Gateway:Tls:{name}", problem));
        return null;
    }

    /// <summary>nginx's ssl_protocols names. TLS 1.0 and 1.1 are not offered: .NET has them obsolete.</summary>
    public static SslProtocols ParseProtocols(string text, List<ConfigError> errors)
    {
        var protocols = SslProtocols.None;
        foreach (var name in text.Split([' ', ',', ':'], StringSplitOptions.RemoveEmptyEntries))
        {
            switch (name)
            {
                case "TLSv1.2": protocols |= SslProtocols.Tls12; break;
                case "TLSv1.3": protocols |= SslProtocols.Tls13; break;
                case "SSLv2" or "SSLv3" or "TLSv1" or "TLSv1.1":
                    errors.Add(new("Gateway:Tls:Protocols", $"\"{name}\" is obsolete and not offered; use TLSv1.2 and/or TLSv1.3"));
                    break;
                default:
                    errors.Add(new("Gateway:Tls:Protocols", $"\"{name}\" is not TLSv1.2 or TLSv1.3"));
                    break;
            }
        }
        if (protocols == SslProtocols.None && !errors.Any(e => e.Path == "Gateway:Tls:Protocols"))
            errors.Add(new("Gateway:Tls:Protocols", "empty: name TLSv1.2 and/or TLSv1.3"));
        return protocols;
    }
}

/// <summary>A certificate (the leaf first, then its chain, as nginx's <c>ssl_certificate</c> file holds them) with
/// its private key, both read from PEM files.</summary>
public sealed class PemCertificatePair : IDisposable
{
    private PemCertificatePair(X509Certificate2 leaf, X509Certificate2Collection chain)
    {
        Leaf = leaf;
        Chain = chain;
    }

    /// <summary>The server certificate, with its private key.</summary>
    public X509Certificate2 Leaf { get; }

    /// <summary>The intermediate certificates after the leaf in the certificate file.</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>Why a pair could not be loaded; <see cref="Key"/> is the config key of the file at fault.</summary>
    public sealed class LoadException(string key, string message) : Exception(message)
    {
        public string Key { get; } = key;
    }

    /// <exception cref="LoadException">A file is missing or unreadable, holds no PEM, or the key does not match.</exception>
    public static PemCertificatePair Load(string certificateFile, string keyFile)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(certificateFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new LoadException("Certificate", $"{certificateFile}: cannot read a PEM certificate: {e.Message}");
        }
        if (certificates.Count == 0)
            throw new LoadException("Certificate", $"{certificateFile}: no \"BEGIN CERTIFICATE\" block");

        string keyPem;
        try
        {
            keyPem = System.IO.File.ReadAllText(keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LoadException("CertificateKey", $"{keyFile}: {e.Message}");
        }
        var leaf = WithKey(certificates[0], keyPem, certificateFile, keyFile);
        var chain = new X509Certificate2Collection();
        for (var i = 1; i < certificates.Count; i++) chain.Add(certificates[i]);
        certificates[0].Dispose();
        return new PemCertificatePair(leaf, chain);
    }

    private static X509Certificate2 WithKey(X509Certificate2 certificate, string keyPem, string certificateFile, string keyFile)
    {
        using AsymmetricAlgorithm key = certificate.GetKeyAlgorithm() switch
        {
            "1.2.840.10045.2.1" => ECDsa.Create(),
            "1.2.840.113549.1.1.1" => RSA.Create(),
            var other => throw new LoadException("Certificate", $"{certificateFile}: key algorithm {other} is not RSA or ECDSA"),
        };
        try
        {
            key.ImportFromPem(keyPem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new LoadException("CertificateKey",
                $"{keyFile}: no unencrypted {(key is RSA ? "RSA" : "EC")} private key for the certificate in {certificateFile} ({e.Message})");
        }
        try
        {
            return key is RSA rsa ? certificate.CopyWithPrivateKey(rsa) : certificate.CopyWithPrivateKey((ECDsa)key);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new LoadException("CertificateKey", $"the key in {keyFile} does not match the certificate in {certificateFile}");
        }
    }

    public void Dispose()
    {
        Leaf.Dispose();
        foreach (var c in Chain) c.Dispose();
    }
}
