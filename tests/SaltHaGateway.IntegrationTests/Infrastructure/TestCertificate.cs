using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>A self-signed RSA certificate and its key, written as the PEM files nginx's <c>ssl_certificate</c> and
/// <c>ssl_certificate_key</c> (and the gateway's <c>Gateway:Tls</c>) read.</summary>
public static class TestCertificate
{
    /// <summary>Writes (or replaces, by writing beside and renaming as certbot does) <paramref name="certificateFile"/>
    /// and <paramref name="keyFile"/>.</summary>
    public static void Write(string certificateFile, string keyFile, string commonName, DateTimeOffset? notAfter = null)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(commonName);
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var until = notAfter ?? DateTimeOffset.UtcNow.AddDays(30);
        using var certificate = request.CreateSelfSigned(until.AddDays(-60), until);
        Replace(certificateFile, certificate.ExportCertificatePem() + "\n");
        Replace(keyFile, rsa.ExportPkcs8PrivateKeyPem() + "\n");
    }

    private static void Replace(string path, string text)
    {
        File.WriteAllText(path + ".new", text);
        File.Move(path + ".new", path, overwrite: true);
    }
}
