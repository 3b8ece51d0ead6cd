namespace SaltHaGateway.Sync.Core;

public enum EntryKind { File = 1, Directory = 2, Symlink = 3 }
