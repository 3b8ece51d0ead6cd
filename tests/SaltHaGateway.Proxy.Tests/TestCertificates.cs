using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SaltHaGateway.TestSupport;

/// <summary>Certificates made on the spot for TLS tests (self-signed servers, a CA with leaves, client
/// certificates), and their PEM files in a temporary directory.</summary>
public static class TestCertificates
{
    /// <summary>A self-signed server certificate for the names given (DNS names or IP addresses).</summary>
    public static X509Certificate2 SelfSigned(string subject, string[] names, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = Request(subject, key, names, ca: false);
        return request.CreateSelfSigned(notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(30));
    }

    /// <summary>A CA certificate (with its key) that can sign others.</summary>
    public static X509Certificate2 Authority(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = Request(subject, key, [], ca: true);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(365));
    }

    /// <summary>A certificate issued by <paramref name="issuer"/>, with its private key; a CA itself when <paramref name="ca"/>.</summary>
    public static X509Certificate2 Issued(X509Certificate2 issuer, string subject, string[] names, bool ca = false, bool client = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = Request(subject, key, names, ca, client);
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        var notAfter = DateTimeOffset.UtcNow.AddDays(ca ? 300 : 30);
        using var issued = request.Create(issuer, DateTimeOffset.UtcNow.AddDays(-1), notAfter, serial);
        return issued.CopyWithPrivateKey(key);
    }

    private static CertificateRequest Request(string subject, ECDsa key, string[] names, bool ca, bool client = false)
    {
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        if (ca)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        }
        else
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            var usage = client ? "1.3.6.1.5.5.7.3.2" : "1.3.6.1.5.5.7.3.1";
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        }
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (names.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in names)
            {
                if (IPAddress.TryParse(name, out var ip)) san.AddIpAddress(ip);
                else san.AddDnsName(name);
            }
            request.CertificateExtensions.Add(san.Build());
        }
        return request;
    }

    /// <summary>Writes the certificate (and, when asked, its unencrypted private key) as PEM; returns the paths.</summary>
    public static (string Certificate, string Key) WritePem(X509Certificate2 certificate, string directory, string name, bool withKey = false)
    {
        Directory.CreateDirectory(directory);
        var certificatePath = Path.Combine(directory, name + ".crt");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        var keyPath = Path.Combine(directory, name + ".key");
        if (withKey)
        {
            using var key = certificate.GetECDsaPrivateKey()!;
            File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        }
        return (certificatePath, keyPath);
    }
}
