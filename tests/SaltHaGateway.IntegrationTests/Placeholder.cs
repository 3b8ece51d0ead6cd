namespace SaltHaGateway.IntegrationTests; public class Placeholder {}
