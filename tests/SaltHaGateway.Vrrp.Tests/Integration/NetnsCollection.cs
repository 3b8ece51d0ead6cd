namespace SaltHaGateway.Vrrp.Tests.Integration;

/// <summary>Namespace tests run one at a time (they share the process table and the CPU) after a leftover sweep.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NetnsCollection : ICollectionFixture<NetnsCollection.Sweep>
{
    public const string Name = "network namespaces";

    public sealed class Sweep
    {
        public Sweep() => NetnsLab.DeleteLeftovers();
    }
}
