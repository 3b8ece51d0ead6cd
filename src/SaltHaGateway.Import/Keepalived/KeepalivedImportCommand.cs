using System.Text.Json;
using System.Text.Json.Serialization;
using SaltHaGateway.Vrrp.Configuration;

namespace SaltHaGateway.Import.Keepalived;

/// <summary>
/// salt-ha-gateway import-keepalived FILE [-o OUT] [--config-id ID]: writes {"Vrrp": …} JSON, for the node whose
/// keepalived config id is ID where the file has conditional (@ID) lines. Exit 0 = fully translated,
/// 2 = written but some items could not be translated (listed on stderr by name and line), 1 = failed.
/// </summary>
public static class KeepalivedImportCommand
{

    /// <param name="configId">keepalived's config id (<c>-i</c>) for conditional lines; null: the host name up to its first '.', as keepalived.</param>
    public static int Run(string file, string? outFile, TextWriter stdout, TextWriter stderr, string? configId = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"{file}: cannot read: {e.Message}");
            return 1;
        }
        var notTranslated = new List<string>();
        string id = configId ?? KeepalivedPreprocessor.DefaultConfigId();
        var pre = KeepalivedPreprocessor.Apply(text, id, notTranslated);
        var syntax = new List<string>();
        var tree = KeepalivedConfigParser.Parse(pre.Text, syntax);
        if (syntax.Count > 0)
        {
            foreach (var e in syntax) stderr.WriteLine($"{file}: {e}");
            return 1;
        }
        var options = KeepalivedConfigTranslator.Translate(tree, notTranslated);
        var invalid = new List<string>();
        VrrpOptionsValidator.Validate(options, invalid);
        string json = JsonSerializer.Serialize(new VrrpSection(options), KeepalivedImportJsonContext.Default.VrrpSection);
        if (outFile is null)
        {
            stdout.WriteLine(json);
        }
        else
        {
            try
            {
                File.WriteAllText(outFile, json + Environment.NewLine);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"{outFile}: cannot write: {e.Message}");
                return 1;
            }
            stdout.WriteLine($"wrote {options.Instances.Count} instance(s), {options.Scripts.Count} script(s) to {outFile}");
        }
        if (pre.ConditionalKept + pre.ConditionalSkipped > 0)
        {
            // Which node the result is for matters as much as the result: say it (on stderr: stdout may be the JSON).
            stderr.WriteLine($"config id '{id}'{(configId is null ? " (the host name; --config-id to choose)" : "")}: "
                + $"{pre.ConditionalKept} conditional line(s) kept, {pre.ConditionalSkipped} skipped");
        }
        foreach (var n in notTranslated) stderr.WriteLine($"{file}: not translated: {n}");
        foreach (var n in invalid) stderr.WriteLine($"{file}: result needs attention: {n}");
        return notTranslated.Count + invalid.Count == 0 ? 0 : 2;
    }
}

/// <summary>The file import-keepalived writes: {"Vrrp": …}.</summary>
internal sealed record VrrpSection(VrrpOptions Vrrp);

/// <summary>Written without reflection (the gateway is compiled ahead of time).</summary>
[JsonSerializable(typeof(VrrpSection))]
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class KeepalivedImportJsonContext : JsonSerializerContext;
