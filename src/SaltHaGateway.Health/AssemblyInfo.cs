namespace SaltHaGateway.Health;
