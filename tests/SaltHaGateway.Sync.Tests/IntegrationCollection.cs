namespace SaltHaGateway.Sync.Tests;

/// <summary>Real-node tests run one at a time (2 shared cores; timing-sensitive convergence).</summary>
[CollectionDefinition("integration", DisableParallelization = true)]
public sealed class IntegrationCollection;
