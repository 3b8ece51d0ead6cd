using System.Text.Json;
using SaltHaGateway.Import.Nginx;

namespace SaltHaGateway.Import.Tests.Nginx;

/// <summary>A temp directory of real nginx config files, imported through the public entry point.</summary>
internal sealed class TempNginxConfig : IDisposable
{
    public TempNginxConfig()
    {
        Dir = Path.Combine(Path.GetTempPath(), "nginx-import-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
    }

    public string Dir { get; }

    public string Write(string relativePath, string text)
    {
        var path = Path.Combine(Dir, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);

    /// <summary>Imports a single file holding <paramref name="text"/>.</summary>
    public static (NginxImportResult Result, string Path) ImportText(string text)
    {
        using var config = new TempNginxConfig();
        var path = config.Write("nginx.conf", text);
        return (NginxConfigImporter.Import(path), path);
    }

    public static JsonElement Root(NginxImportResult result)
    {
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return JsonDocument.Parse(result.Json).RootElement.Clone();
    }

    /// <summary>Asserts exactly one error naming this file and line, whose message contains the text.</summary>
    public static ImportDiagnostic SingleError(NginxImportResult result, string path, int line, string message)
    {
        Assert.False(result.Succeeded);
        var errors = result.Diagnostics.Where(d => d.IsError).ToList();
        var error = Assert.Single(errors);
        Assert.Equal(path, error.File);
        Assert.Equal(line, error.Line);
        Assert.Contains(message, error.Message);
        Assert.Contains($"{path}:{line}:", error.ToString());
        return error;
    }
}
