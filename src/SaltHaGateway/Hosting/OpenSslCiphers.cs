using System.Net.Security;

namespace SaltHaGateway.Hosting;

/// <summary>
/// An OpenSSL cipher string as nginx's <c>ssl_ciphers</c> takes it (<c>ECDHE-RSA-AES128-GCM-SHA256:…</c>), turned
/// into the TLS 1.2 suites .NET's <see cref="CipherSuitesPolicy"/> can name. Suites named explicitly are kept in
/// their order; <c>!NAME</c> / <c>-NAME</c> drop a named suite again. OpenSSL's class keywords (<c>HIGH</c>,
/// <c>!aNULL</c>, <c>EECDH+AESGCM</c>, …) cannot be expanded here: a string of keywords only leaves the platform's
/// default suites in place, keywords next to named suites are skipped (both with a warning). TLS 1.3 suites are
/// not set by <c>ssl_ciphers</c> in nginx either; OpenSSL's default TLS 1.3 suites are always added, or .NET would
/// turn TLS 1.3 off.
/// </summary>
public static class OpenSslCiphers
{
    /// <summary>OpenSSL's names for the TLS 1.2 suites OpenSSL 1.1.1 and 3.x offer.</summary>
    public static readonly IReadOnlyDictionary<string, TlsCipherSuite> Tls12 = new Dictionary<string, TlsCipherSuite>(StringComparer.Ordinal)
    {
        ["ECDHE-ECDSA-AES128-GCM-SHA256"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ["ECDHE-RSA-AES128-GCM-SHA256"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ["ECDHE-ECDSA-AES256-GCM-SHA384"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        ["ECDHE-RSA-AES256-GCM-SHA384"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        ["ECDHE-ECDSA-CHACHA20-POLY1305"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        ["ECDHE-RSA-CHACHA20-POLY1305"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ["DHE-RSA-AES128-GCM-SHA256"] = TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
        ["DHE-RSA-AES256-GCM-SHA384"] = TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        ["DHE-RSA-CHACHA20-POLY1305"] = TlsCipherSuite.TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ["ECDHE-ECDSA-AES128-CCM"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
        ["ECDHE-ECDSA-AES256-CCM"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CCM,
        ["ECDHE-ECDSA-AES128-SHA256"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        ["ECDHE-RSA-AES128-SHA256"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
        ["ECDHE-ECDSA-AES256-SHA384"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
        ["ECDHE-RSA-AES256-SHA384"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
        ["ECDHE-ECDSA-AES128-SHA"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        ["ECDHE-RSA-AES128-SHA"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        ["ECDHE-ECDSA-AES256-SHA"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        ["ECDHE-RSA-AES256-SHA"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        ["DHE-RSA-AES128-SHA256"] = TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        ["DHE-RSA-AES256-SHA256"] = TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
        ["DHE-RSA-AES128-SHA"] = TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
        ["DHE-RSA-AES256-SHA"] = TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
        ["AES128-GCM-SHA256"] = TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
        ["AES256-GCM-SHA384"] = TlsCipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
        ["AES128-SHA256"] = TlsCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA256,
        ["AES256-SHA256"] = TlsCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA256,
        ["AES128-SHA"] = TlsCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA,
        ["AES256-SHA"] = TlsCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA,
        ["ECDHE-RSA-DES-CBC3-SHA"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,
        ["DES-CBC3-SHA"] = TlsCipherSuite.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
    };

    /// <summary>OpenSSL's default TLS 1.3 suites, in its order.</summary>
    public static readonly IReadOnlyList<TlsCipherSuite> Tls13 =
        [TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_AES_128_GCM_SHA256];

    /// <summary>OpenSSL's cipher-list keywords (classes of suites, not suites), which may be joined with '+'.</summary>
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "ALL", "COMPLEMENTOFALL", "DEFAULT", "COMPLEMENTOFDEFAULT", "HIGH", "MEDIUM", "LOW", "EXP", "EXPORT",
        "eNULL", "NULL", "aNULL", "kRSA", "aRSA", "RSA", "kDHE", "kEDH", "DH", "DHE", "EDH", "ADH", "kDHr", "kDHd",
        "kEECDH", "kECDHE", "ECDH", "ECDHE", "EECDH", "AECDH", "aECDH", "aDSS", "DSS", "aECDSA", "ECDSA",
        "TLSv1.2", "TLSv1", "TLSv1.0", "SSLv3", "AES", "AES128", "AES256", "AESGCM", "AESCCM", "AESCCM8",
        "ARIA", "ARIA128", "ARIA256", "CAMELLIA", "CAMELLIA128", "CAMELLIA256", "CHACHA20", "3DES", "DES", "RC4",
        "RC2", "IDEA", "SEED", "MD5", "SHA1", "SHA", "SHA256", "SHA384", "aGOST", "aGOST01", "kGOST", "GOST94",
        "GOST89MAC", "PSK", "kPSK", "kECDHEPSK", "kDHEPSK", "kRSAPSK", "aPSK", "SRP", "kSRP", "aSRP",
        "SUITEB128", "SUITEB128ONLY", "SUITEB192", "CBC", "@STRENGTH",
    };

    /// <summary>Classes none of the suites above belong to: excluding them next to named suites changes nothing.</summary>
    private static readonly HashSet<string> NotInTable = new(StringComparer.Ordinal)
    {
        "aNULL", "eNULL", "NULL", "ADH", "AECDH", "MD5", "EXP", "EXPORT", "LOW", "RC4", "RC2", "IDEA", "SEED", "DES",
        "DSS", "aDSS", "PSK", "kPSK", "aPSK", "kECDHEPSK", "kDHEPSK", "kRSAPSK", "SRP", "kSRP", "aSRP", "CAMELLIA",
        "CAMELLIA128", "CAMELLIA256", "ARIA", "ARIA128", "ARIA256", "aGOST", "aGOST01", "kGOST", "GOST94", "GOST89MAC",
    };

    /// <summary>The parsed string: the suites to allow (null: the platform's defaults), and what was skipped.</summary>
    public sealed record Result(IReadOnlyList<TlsCipherSuite>? Suites, IReadOnlyList<string> Warnings);

    /// <returns>Null, with <paramref name="error"/>, when a name is neither an OpenSSL suite nor a keyword.</returns>
    public static Result? Parse(string text, out string? error)
    {
        error = null;
        var named = new List<TlsCipherSuite>();
        var keywords = new List<string>();
        foreach (var token in text.Split([':', ',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var removes = token[0] is '!' or '-';
            var name = token[0] is '!' or '-' or '+' ? token[1..] : token;
            if (Tls12.TryGetValue(name, out var suite))
            {
                if (removes) named.Remove(suite);
                else if (token[0] != '+' && !named.Contains(suite)) named.Add(suite);
                continue;
            }
            if (name.StartsWith("@SECLEVEL=", StringComparison.Ordinal) || (name.Length > 0 && name.Split('+').All(Keywords.Contains)))
            {
                if (!(removes && NotInTable.Contains(name))) keywords.Add(token);
                continue;
            }
            error = name.StartsWith("TLS_", StringComparison.Ordinal)
                ? $"\"{name}\" is a TLS 1.3 suite; those are not chosen by the cipher string (nginx's ssl_ciphers does not set them either)"
                : $"\"{name}\" is not an OpenSSL cipher name this gateway knows (TLS 1.2 suites such as ECDHE-RSA-AES128-GCM-SHA256, or keywords such as HIGH)";
            return null;
        }

        if (named.Count == 0)
        {
            // nginx's default "HIGH:!aNULL:!MD5" is what OpenSSL offers by default anyway: nothing to say.
            return new Result(null, keywords.All(k => k is "HIGH" or "DEFAULT") ? [] :
                [$"\"{text}\" names classes of suites only, which are not expanded here; the platform's default suites are offered (OpenSSL's defaults leave out aNULL, MD5 and the like)"]);
        }

        List<string> warnings = keywords.Count == 0 ? [] :
            [$"{string.Join(" ", keywords.Select(k => $"\"{k}\""))} not expanded; only the suites named explicitly are offered"];
        return new Result([.. named, .. Tls13], warnings);
    }
}
