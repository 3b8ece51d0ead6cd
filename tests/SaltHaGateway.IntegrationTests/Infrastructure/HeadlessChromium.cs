using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>
/// Debian's chromium, headless, with one page open on a URL and kept open: the test reads the page's DOM as its
/// script left it and takes screenshots, over the DevTools protocol on a loopback port. Background networking is
/// off and every host name resolves to nothing, so the browser talks to loopback addresses only.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket;
    private int _nextId;

    private HeadlessChromium(Process process, string profile, ClientWebSocket socket)
    {
        _process = process;
        _profile = profile;
        _socket = socket;
    }

    /// <summary>The chromium executable on PATH, or null when it is not installed.</summary>
    public static string? Executable { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, "chromium")).FirstOrDefault(File.Exists);

    public static async Task<HeadlessChromium> OpenAsync(Uri url, int width = 1280, int height = 900)
    {
        var profile = Directory.CreateTempSubdirectory("shg-chromium-").FullName;
        var info = new ProcessStartInfo(Executable ?? throw new InvalidOperationException("chromium is not installed"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            $"--user-data-dir={profile}", $"--window-size={width},{height}", "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0", url.ToString(),
        }) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Chromium writes the port it chose to the profile directory.
            var portFile = Path.Combine(profile, "DevToolsActivePort");
            var port = await Eventually.GetAsync(() => Task.FromResult(File.Exists(portFile) ? File.ReadAllLines(portFile).FirstOrDefault() : null),
                p => !string.IsNullOrEmpty(p), TimeSpan.FromSeconds(30), "chromium's DevTools port");
            using var http = new HttpClient();
            var page = await Eventually.GetAsync(async () =>
                    JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray()
                        .FirstOrDefault(t => (string?)t!["type"] == "page"),
                t => t is not null, what: "chromium's page target");
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri((string)page!["webSocketDebuggerUrl"]!), CancellationToken.None);
            return new HeadlessChromium(process, profile, socket);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>The page's DOM as it is now, serialized ("" while the page has no document yet).</summary>
    public async Task<string> DomAsync()
    {
        var result = await CallAsync("Runtime.evaluate", new JsonObject { ["expression"] = "document.documentElement?.outerHTML ?? ''", ["returnByValue"] = true });
        return (string?)result["result"]?["value"] ?? "";
    }

    public async Task ScreenshotAsync(string pngFile)
    {
        var result = await CallAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" });
        Directory.CreateDirectory(Path.GetDirectoryName(pngFile)!);
        await File.WriteAllBytesAsync(pngFile, Convert.FromBase64String((string)result["data"]!));
    }

    /// <summary>One DevTools command and its result (events that arrive meanwhile are skipped).</summary>
    private async Task<JsonNode> CallAsync(string method, JsonObject parameters)
    {
        var id = ++_nextId;
        var request = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(buffer, timeout.Token);
                message.Write(buffer, 0, received.Count);
            } while (!received.EndOfMessage);
            var answer = JsonNode.Parse(message.ToArray())!;
            if ((int?)answer["id"] != id) continue;
            if (answer["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
            return answer["result"]!;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A test that needs chromium: skipped, with the reason, where it is not installed (tests/run.sh installs it).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.Executable is null) Skip = "chromium is not installed (tests/run.sh installs it)";
    }
}
