using System.Diagnostics;

namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>
/// Salt's own salt-api client, <c>salt-pepper</c> (Debian package), run as a real process against one URL with the
/// credentials in its environment (<c>SALTAPI_URL</c>, <c>SALTAPI_USER</c>, <c>SALTAPI_PASS</c>, <c>SALTAPI_EAUTH</c>).
/// Each instance has a private token cache (<c>PEPPERCACHE</c>, used by <c>-T</c>) and an empty <c>PEPPERRC</c>, so
/// nothing of the machine's <c>~/.pepperrc</c> or <c>~/.peppercache</c> takes part.
/// </summary>
/// <remarks>
/// What pepper 0.5.5 does: one run is <c>POST /login</c> (JSON <c>username</c>, <c>password</c>, <c>eauth</c>), then
/// <c>POST /</c> with the lowstate and the token in <c>X-Auth-Token</c>, each on a new connection
/// (<c>Connection: close</c>); it never sends cookies. It does not check the server certificate, with or without
/// <c>--ignore-ssl-errors</c>. A 307/308 answer is an error; 301/302/303 are followed as a GET without the body.
/// With <c>-T</c> it first reads the cache file and skips the login unless the cached <c>expire</c> is less than 30 s
/// away; a cached token the server rejects is not replaced (exit 1, "Pepper error: Authentication denied" on
/// stderr) until the cache file is removed.
/// </remarks>
public sealed class SaltPepper : IDisposable
{
    public const string Executable = "/usr/bin/salt-pepper";

    private readonly string _dir;

    public SaltPepper(string url, string user = SaltApiStandIn.User, string password = SaltApiStandIn.Password)
    {
        Url = url;
        User = user;
        Password = password;
        _dir = Directory.CreateTempSubdirectory("shg-pepper-").FullName;
        CacheFile = Path.Combine(_dir, "peppercache");
    }

    public string Url { get; }
    public string User { get; }
    public string Password { get; }
    /// <summary>Where <c>-T</c> keeps the token: the <c>return[0]</c> object of the login answer, as JSON.</summary>
    public string CacheFile { get; }

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
    }

    /// <summary>The same client with another URL, password or the cache of another one (for a token taken elsewhere).</summary>
    public SaltPepper With(string? url = null, string? password = null, string? cacheFrom = null)
    {
        var other = new SaltPepper(url ?? Url, User, password ?? Password);
        if (cacheFrom is not null) File.Copy(cacheFrom, other.CacheFile);
        return other;
    }

    /// <summary>Runs <c>salt-pepper ARGS</c> to completion; a run that takes longer than <paramref name="timeout"/>
    /// is killed and reported.</summary>
    public async Task<Result> RunAsync(params string[] args) => await RunAsync(TimeSpan.FromSeconds(30), args);

    public async Task<Result> RunAsync(TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["SALTAPI_URL"] = Url;
        info.Environment["SALTAPI_USER"] = User;
        info.Environment["SALTAPI_PASS"] = Password;
        info.Environment["SALTAPI_EAUTH"] = "pam";
        info.Environment["PEPPERCACHE"] = CacheFile;
        info.Environment["PEPPERRC"] = Path.Combine(_dir, "pepperrc");
        using var process = Process.Start(info)!;
        // A prompt for missing credentials reads end-of-file instead of waiting.
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"salt-pepper {string.Join(' ', args)} did not finish in {timeout}:\n{await stdout}\n{await stderr}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
