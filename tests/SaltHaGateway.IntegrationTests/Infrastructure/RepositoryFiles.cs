namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>Files of the repository the tests run from (the unit file, the alert rules, the dashboard).</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = Find();

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "SaltHaGateway.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("SaltHaGateway.sln not found above " + AppContext.BaseDirectory);
    }
}
