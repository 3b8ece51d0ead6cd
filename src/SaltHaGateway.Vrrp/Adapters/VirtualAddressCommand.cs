using System.Diagnostics;
using SaltHaGateway.Vrrp.Core;

namespace SaltHaGateway.Vrrp.Adapters;

/// <summary>Adds and removes VIPs with iproute2; "already there" and "already gone" count as success.</summary>
internal sealed class VirtualAddressCommand(string ip = "ip")
{
    public Task<CommandResult> AddAsync(VirtualAddress vip, string device, CancellationToken ct) =>
        RunAsync(["-4", "addr", "add", vip.ToString(), "dev", device], ["File exists"], ct);

    public Task<CommandResult> RemoveAsync(VirtualAddress vip, string device, CancellationToken ct) =>
        RunAsync(["-4", "addr", "del", vip.ToString(), "dev", device], ["Cannot assign requested address", "Address not found"], ct);

    private async Task<CommandResult> RunAsync(string[] args, string[] benign, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(ip) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start ip");
        var stderr = await process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        bool ok = process.ExitCode == 0 || benign.Any(b => stderr.Contains(b, StringComparison.Ordinal));
        return new CommandResult(ok, $"{ip} {string.Join(' ', args)}: {stderr.Trim()}");
    }
}

internal readonly record struct CommandResult(bool Success, string Description);
