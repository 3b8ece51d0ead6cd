using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SaltHaGateway.Sync.Identity;

/// <summary>
/// This node's key and self-signed certificate (state directory, node.pfx, 0600). Peers pin the
/// certificate's SHA-256; the node id used in version vectors is its first 16 hex characters, so
/// it survives hostname changes and needs no separate file.
/// </summary>
public sealed class NodeIdentity
{
    public const string FileName = "node.pfx";

    private NodeIdentity(X509Certificate2 certificate)
    {
        Certificate = certificate;
        Fingerprint = FingerprintOf(certificate);
        NodeId = NodeIdOf(Fingerprint);
    }

    public X509Certificate2 Certificate { get; }
    public string Fingerprint { get; }
    public string NodeId { get; }

    public static string FingerprintOf(X509Certificate certificate) =>
        Convert.ToHexStringLower(SHA256.HashData(certificate.GetRawCertData()));

    public static string NodeIdOf(string fingerprint) => fingerprint[..16];

    public static string PathIn(string stateDirectory) => Path.Combine(stateDirectory, FileName);

    public static NodeIdentity Load(string stateDirectory)
    {
        var path = PathIn(stateDirectory);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} not found: run 'salt-ha-gateway sync init --state-dir {stateDirectory}' first", path);
        return new NodeIdentity(X509CertificateLoader.LoadPkcs12FromFile(path, null, X509KeyStorageFlags.Exportable));
    }

    /// <summary>Creates the identity unless it exists; returns it either way.</summary>
    public static (NodeIdentity Identity, bool Created) LoadOrCreate(string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = PathIn(stateDirectory);
        if (File.Exists(path)) return (Load(stateDirectory), false);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=salt-ha-gateway-sync", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(100));
        var tmp = path + ".tmp";
        using (var stream = new FileStream(tmp, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            stream.Write(cert.Export(X509ContentType.Pkcs12));
            stream.Flush(flushToDisk: true);
        }
        File.Move(tmp, path);
        return (Load(stateDirectory), true);
    }
}
