namespace SaltHaGateway.Health;

/// <summary>Why a check passed or failed; the lower-case names are metric label values.</summary>
public enum ProbeReason
{
    Ok,
    Refused,
    Reset,
    Closed,
    Timeout,
    Unreachable,
    HttpStatus,
    BadResponse,
    TlsFailed,
    Error,
}

/// <summary>The outcome of one probe. <see cref="Detail"/> is a short human-readable reason for logs.</summary>
public sealed record ProbeResult(bool Success, ProbeReason Reason, string Detail, int? HttpStatus = null)
{
    public static ProbeResult Ok(string detail = "ok", int? status = null) => new(true, ProbeReason.Ok, detail, status);
    public static ProbeResult Fail(ProbeReason reason, string detail, int? status = null) => new(false, reason, detail, status);

    public string ReasonName => Reason switch
    {
        ProbeReason.Ok => "ok",
        ProbeReason.Refused => "refused",
        ProbeReason.Reset => "reset",
        ProbeReason.Closed => "closed",
        ProbeReason.Timeout => "timeout",
        ProbeReason.Unreachable => "unreachable",
        ProbeReason.HttpStatus => "http_status",
        ProbeReason.BadResponse => "bad_response",
        ProbeReason.TlsFailed => "tls_failed",
        _ => "error",
    };
}
