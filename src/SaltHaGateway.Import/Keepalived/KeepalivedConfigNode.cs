namespace SaltHaGateway.Import.Keepalived;

/// <summary>One keepalived statement: keyword, arguments, the line it starts on and an optional { block }.</summary>
public sealed record KeepalivedConfigNode(string Keyword, IReadOnlyList<string> Args, int Line, List<KeepalivedConfigNode>? Children)
{
    public string Arg(int i) => i < Args.Count ? Args[i] : "";
}
