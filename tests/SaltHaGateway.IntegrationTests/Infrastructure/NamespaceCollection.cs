namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that run whole pairs of gateways in network namespaces: they run one at a time and never beside the other
/// test classes (a collection with parallelization disabled runs after the parallel ones), because they share the
/// CPU and their assertions are about failover, which a starved box blurs. A leftover sweep runs first.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NamespaceCollection : ICollectionFixture<NamespaceCollection.Sweep>
{
    public const string Name = "network namespaces";

    public sealed class Sweep
    {
        public Sweep() => PairLab.DeleteLeftovers();
    }
}
