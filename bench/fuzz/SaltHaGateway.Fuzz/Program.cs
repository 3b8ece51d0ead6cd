using SaltHaGateway.Fuzz;
using SharpFuzz;

// SaltHaGateway.Fuzz TARGET          runs TARGET under libFuzzer (started by the driver that bench/fuzz/run.sh builds)
// SaltHaGateway.Fuzz TARGET FILE...  runs TARGET once on each file, without the fuzzer (to reproduce a finding)
if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: SaltHaGateway.Fuzz {string.Join('|', FuzzTargets.All.Keys)} [FILE...]");
    return 2;
}

if (args.Length > 1)
{
    foreach (var file in args.Skip(1))
    {
        target(File.ReadAllBytes(file));
        Console.WriteLine($"{file}: ok");
    }
    return 0;
}

Fuzzer.LibFuzzer.Run(span => target(span));
return 0;
