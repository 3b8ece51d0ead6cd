namespace SaltHaGateway.Import.Nginx;

internal enum NginxTokenKind
{
    Word,
    Semicolon,
    BlockStart,
    BlockEnd,
    EndOfFile,
}

/// <summary>A lexical token of an nginx config file; <see cref="Text"/> has escapes applied and quotes removed.</summary>
internal readonly record struct NginxToken(NginxTokenKind Kind, string Text, int Line);
