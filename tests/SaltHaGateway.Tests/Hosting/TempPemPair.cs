using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SaltHaGateway.Tests.Hosting;

/// <summary>A temp directory holding a self-signed certificate and key as PEM files.</summary>
internal sealed class TempPemPair : IDisposable
{
    public TempPemPair(string commonName = "gateway.example.test", DateTimeOffset? notAfter = null)
    {
        Dir = Directory.CreateTempSubdirectory("shg-pem-").FullName;
        Write(commonName, notAfter);
    }

    public string Dir { get; }
    public string Certificate => Path.Combine(Dir, "cert.pem");
    public string Key => Path.Combine(Dir, "key.pem");

    /// <summary>Replaces both files with a new pair (or writes them to other paths).</summary>
    public void Write(string commonName, DateTimeOffset? notAfter = null, string? certificate = null, string? key = null)
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", ec, HashAlgorithmName.SHA256);
        var until = notAfter ?? DateTimeOffset.UtcNow.AddDays(30);
        using var cert = request.CreateSelfSigned(until.AddDays(-60), until);
        File.WriteAllText(certificate ?? Certificate, cert.ExportCertificatePem() + "\n");
        File.WriteAllText(key ?? Key, ec.ExportPkcs8PrivateKeyPem() + "\n");
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
