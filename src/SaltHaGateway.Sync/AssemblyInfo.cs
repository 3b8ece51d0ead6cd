namespace SaltHaGateway.Sync;
