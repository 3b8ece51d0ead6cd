using System.CommandLine;
using SaltHaGateway.Cli;
using SaltHaGateway.Hosting;

// Must happen before the first socket is used; see SocketTuning.
SocketTuning.ApplyProcessDefaults();

var configOption = new Option<string?>("--config", "-c")
{
    Description = $"The gateway's JSON config file (default: {ConfigFileLocator.SystemPath} if present, else {ConfigFileLocator.DefaultPath})",
};

var run = new Command("run", "Run the gateway (the default verb). .NET overrides such as --Gateway:Admin:Listen=http://127.0.0.1:9200 are accepted.")
{
    configOption,
};
run.TreatUnmatchedTokensAsErrors = false;
run.SetAction((result, ct) => GatewayApp.RunAsync(result.GetValue(configOption), [.. result.UnmatchedTokens], Console.Error, ct));

var checkConfig = new Command("check-config", "Validate a config file like `nginx -t`: prints OK or every problem; exit code 0 or 1.")
{
    configOption,
};
checkConfig.TreatUnmatchedTokensAsErrors = false;
checkConfig.SetAction((result, _) => CheckConfigCommand.RunAsync(result.GetValue(configOption), [.. result.UnmatchedTokens], Console.Out, Console.Error));

var demo = new Command("demo", "Start two local stand-in upstreams and a gateway in front of them, show balancing, a failure and the metrics.");
var demoPort = new Option<int>("--port") { Description = "Port of the demo gateway on 127.0.0.1", DefaultValueFactory = _ => 8080 };
demo.Options.Add(demoPort);
demo.SetAction((result, ct) => DemoCommand.RunAsync(result.GetValue(demoPort), Console.Out, Console.Error, ct));

var root = new RootCommand("salt-ha-gateway: reverse proxy, health checks, config sync and VRRP for highly available SaltStack masters")
{
    configOption,
};
root.TreatUnmatchedTokensAsErrors = false;
root.SetAction((result, ct) => GatewayApp.RunAsync(result.GetValue(configOption), [.. result.UnmatchedTokens], Console.Error, ct));
root.Subcommands.Add(run);
root.Subcommands.Add(checkConfig);
root.Subcommands.Add(demo);
var maintenanceState = new Argument<string>("state") { Description = "on: hand the VIP to the peer and drain this node's upstream servers; off: back to normal" };
maintenanceState.AcceptOnlyFromAmong("on", "off");
var maintenance = new Command("maintenance", "Planned work on this master: hand the VIP over without losing a request, drain the local act2, keep config sync running; persists until off.")
{
    maintenanceState, configOption,
};
maintenance.TreatUnmatchedTokensAsErrors = false;
maintenance.SetAction((result, ct) => MaintenanceCommand.RunAsync(result.GetValue(maintenanceState)!, result.GetValue(configOption),
    [.. result.UnmatchedTokens], Console.Out, Console.Error, ct));
root.Subcommands.Add(maintenance);
var statusJson = new Option<bool>("--json") { Description = "Print the JSON of GET /pair/status instead of the table" };
var status = new Command("status", "One screen for the pair: who holds the VIP, both nodes' VRRP state, upstream servers, sync peers and conflicts, maintenance.")
{
    configOption, statusJson,
};
status.TreatUnmatchedTokensAsErrors = false;
status.SetAction((result, ct) => StatusCommand.RunAsync(result.GetValue(configOption), [.. result.UnmatchedTokens], result.GetValue(statusJson), Console.Out, Console.Error, ct));
root.Subcommands.Add(status);
foreach (var command in GatewayCommands.Extra()) root.Subcommands.Add(command);

return await root.Parse(args).InvokeAsync();
