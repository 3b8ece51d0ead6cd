using System.CommandLine;
using SaltHaGateway.Import.Nginx;

namespace SaltHaGateway.Cli;

/// <summary>Verbs contributed by the subsystems.</summary>
public static class GatewayCommands
{
    public static IEnumerable<Command> Extra()
    {
        yield return ImportNginx();
        yield return ImportKeepalived();
        yield return Sync();
    }

    private static Command Sync()
    {
        var stateDir = new Option<string>("--state-dir") { Description = "The node's ConfigSync:StateDirectory", Required = true };
        var init = new Command("init", "Create this node's sync identity (key and self-signed certificate) and print its SHA-256 fingerprint on the last line.")
        {
            stateDir,
        };
        init.SetAction(result => SaltHaGateway.Sync.SyncInitCommand.Run(result.GetValue(stateDir)!, Console.Out, Console.Error));
        return new Command("sync", "Config sync between the masters.") { init, Conflicts(), Resolve() };
    }

    private static Option<string> AdminOption() => new("--admin")
    {
        Description = "This node's admin listener (Gateway:Admin:Listen)",
        DefaultValueFactory = _ => SaltHaGateway.Sync.SyncConflictsCommand.DefaultAdmin,
    };

    private static Command Conflicts()
    {
        var admin = AdminOption();
        var command = new Command("conflicts", "List this node's sync conflicts, newest first (open ones block a master key).") { admin };
        command.SetAction((result, ct) => SaltHaGateway.Sync.SyncConflictsCommand.ListAsync(result.GetValue(admin)!, Console.Out, Console.Error, ct));
        return command;
    }

    private static Command Resolve()
    {
        var config = new Option<string?>("--config", "-c") { Description = "The gateway's config file: where its control socket is (Gateway:Control:Socket)" };
        var id = new Option<long>("--id") { Description = "Conflict id (see `sync conflicts`)", Required = true };
        var keep = new Option<string>("--keep") { Description = "local: this node's file wins; remote: the stored copy of the peer's version wins", Required = true };
        keep.AcceptOnlyFromAmong("local", "remote");
        var command = new Command("resolve", "Resolve an open conflict on this node (as root, through the control socket); every peer then takes the kept version.")
        {
            id, keep, config,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, ct) =>
        {
            if (LocalOptions.Load(result.GetValue(config), [.. result.UnmatchedTokens], Console.Error) is not { } options) return 2;
            using var http = SaltHaGateway.Control.ControlSocket.Client(options.ControlSocket, TimeSpan.FromSeconds(60));
            return await SaltHaGateway.Sync.SyncConflictsCommand.ResolveAsync(http, options.ControlSocket, result.GetValue(id),
                result.GetValue(keep), Console.Out, Console.Error, ct);
        });
        return command;
    }

    private static Command ImportKeepalived()
    {
        var file = new Argument<string>("file") { Description = "keepalived.conf to import" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the {\"Vrrp\": …} JSON here instead of standard output" };
        var configId = new Option<string?>("--config-id", "-i")
        {
            Description = "keepalived's config id (its -i): which @ID conditional lines apply (default: the host name up to the first '.', as keepalived)",
        };
        var command = new Command("import-keepalived",
            "Translate keepalived vrrp_instance/vrrp_script/vrrp_sync_group/track_file/vrrp_track_process blocks and the VRRP globals into the Vrrp section; reports what it cannot translate by keyword and line.")
        {
            file, output, configId,
        };
        command.SetAction(result => SaltHaGateway.Import.Keepalived.KeepalivedImportCommand.Run(result.GetValue(file)!, result.GetValue(output), Console.Out, Console.Error,
            result.GetValue(configId)));
        return command;
    }

    private static Command ImportNginx()
    {
        var file = new Argument<string>("file") { Description = "nginx config to import (nginx.conf or a file of upstream/server blocks); includes are followed" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the gateway config here (replaced in one step) instead of standard output" };
        var prefix = new Option<string?>("--prefix") { Description = "Directory that relative include paths resolve against (default: the file's directory, as nginx -c)" };
        var command = new Command("import-nginx", "Translate an nginx config into a gateway config; every directive it cannot translate is reported with file and line.")
        {
            file, output, prefix,
        };
        command.SetAction(result =>
        {
            var args = new List<string> { result.GetValue(file)! };
            if (result.GetValue(output) is { } o) args.AddRange(["-o", o]);
            if (result.GetValue(prefix) is { } p) args.AddRange(["--prefix", p]);
            return NginxImportCommand.Run(args, Console.Out, Console.Error);
        });
        return command;
    }
}
