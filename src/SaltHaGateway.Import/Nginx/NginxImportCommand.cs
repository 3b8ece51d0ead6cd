namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// The <c>import-nginx FILE [-o OUT] [--prefix DIR]</c> verb: diagnostics go to stderr, the config to OUT
/// (replaced atomically) or stdout. Nothing is written when the import has errors.
/// Exit codes: 0 imported (warnings allowed), 1 errors in the input or the output could not be written, 2 usage.
/// </summary>
public static class NginxImportCommand
{
    public const string Usage = "usage: salt-ha-gateway import-nginx FILE [-o OUT] [--prefix DIR]";

    /// <param name="args">The arguments after the verb.</param>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? file = null, output = null, prefix = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "-o" or "--output" when i + 1 < args.Count:
                    output = args[++i];
                    break;
                case "--prefix" when i + 1 < args.Count:
                    prefix = args[++i];
                    break;
                case "-h" or "--help":
                    stdout.WriteLine(Usage);
                    return 0;
                default:
                    if (file is not null || args[i].StartsWith('-'))
                    {
                        stderr.WriteLine($"unexpected argument \"{args[i]}\"");
                        stderr.WriteLine(Usage);
                        return 2;
                    }

                    file = args[i];
                    break;
            }
        }

        if (file is null)
        {
            stderr.WriteLine(Usage);
            return 2;
        }

        var result = NginxConfigImporter.Import(file, prefix);
        foreach (var diagnostic in result.Diagnostics)
        {
            stderr.WriteLine(diagnostic.ToString());
        }

        var errors = result.Diagnostics.Count(d => d.IsError);
        var warnings = result.Diagnostics.Count - errors;
        if (errors > 0)
        {
            stderr.WriteLine($"import-nginx: {errors} error(s), {warnings} warning(s); no config written");
            return 1;
        }

        if (output is null)
        {
            stdout.Write(result.Json);
        }
        else if (!TryWrite(output, result.Json, stderr))
        {
            return 1;
        }

        stderr.WriteLine($"import-nginx: imported {file}{(output is null ? "" : $" into {output}")} with {warnings} warning(s)");
        return 0;
    }

    private static bool TryWrite(string output, string json, TextWriter stderr)
    {
        var temp = output + ".tmp-" + Environment.ProcessId;
        try
        {
            File.WriteAllText(temp, json);
            File.Move(temp, output, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"import-nginx: cannot write {output}: {e.Message}");
            try
            {
                File.Delete(temp);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // The temp file may never have been created; the write error above is what matters.
            }

            return false;
        }
    }
}
