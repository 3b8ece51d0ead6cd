using System.Security.Cryptography;
using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.Native;
using SaltHaGateway.Sync.Roots;

namespace SaltHaGateway.Sync.Apply;

/// <summary>
/// The only code that changes a synced tree. Files and links are built in the root's staging
/// directory (same filesystem, outside every served tree) with final owner, mode and ns mtime,
/// fsynced, then renamed over the destination, and the destination directory is fsynced: a reader
/// sees the old or the new version, never a partial one. Every destination is reached through
/// <see cref="SyncRoot.OpenParent"/> (no symlink is ever followed).
/// </summary>
internal sealed class DiskWriter(long maxFileBytes)
{
    public async Task WriteFileAsync(SyncRoot root, FileEntry entry, Stream content, CancellationToken ct)
    {
        var tmp = await StageFileAsync(root, entry, content, durable: null, ct).ConfigureAwait(false);
        try
        {
            MoveIntoPlace(root, tmp, entry.Path, parentsToSync: null);
        }
        catch
        {
            DiscardStaged(root, tmp);
            throw;
        }
    }

    /// <summary>In-memory content written the same way as <see cref="WriteFileAsync"/>; returns the placed file's stat.</summary>
    public StatInfo? WriteBytes(SyncRoot root, FileEntry entry, byte[] data)
    {
        var staged = StageBytes(root, entry, data, durable: null);
        try
        {
            return MoveIntoPlace(root, staged, entry.Path, parentsToSync: null);
        }
        catch
        {
            DiscardStaged(root, staged);
            throw;
        }
    }

    /// <summary>
    /// Writes and verifies the content in the staging directory with final owner, mode and mtime, and
    /// fsyncs it, or, with <paramref name="durable"/>, hands it there to be fsynced before any rename.
    /// </summary>
    public async Task<string> StageFileAsync(SyncRoot root, FileEntry entry, Stream content, StagedFsync? durable, CancellationToken ct)
    {
        using var staging = OpenStaging(root);
        var tmp = TempName();
        var fd = FileDescriptor.OpenAt(staging.Fd, tmp, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW, 0b110_000_000, root.StagingPath + "/" + tmp);
        bool ok = false;
        try
        {
            await using (var stream = new FileStream(fd.ToSafeFileHandle(), FileAccess.Write, 1))
            {
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[Math.Clamp(entry.Size, 1, 81920)];
                long total = 0;
                int n;
                while ((n = await content.ReadAsync(buffer, ct)) > 0)
                {
                    total += n;
                    if (total > entry.Size || total > maxFileBytes)
                        throw new InvalidDataException($"{root.Display(entry.Path)}: more bytes than announced");
                    sha.AppendData(buffer, 0, n);
                    await stream.WriteAsync(buffer.AsMemory(0, n), ct);
                }
                await stream.FlushAsync(ct);
                var hash = Convert.ToHexStringLower(sha.GetHashAndReset());
                if (total != entry.Size || hash != entry.Sha256)
                    throw new InvalidDataException($"{root.Display(entry.Path)}: received content does not match sha256 {entry.Sha256}");
                var handle = (int)stream.SafeFileHandle.DangerousGetHandle();
                SetOwnerModeTime(handle, entry, root.Display(entry.Path));
                if (durable is not null)
                {
                    var dup = LibC.DupCloexec(handle);
                    if (dup < 0) throw PosixException.Last("dup", root.StagingPath + "/" + tmp);
                    durable.Add(new FileDescriptor(dup), root.StagingPath + "/" + tmp);
                }
                else if (LibC.Fsync(handle) != 0) throw PosixException.Last("fsync", root.StagingPath + "/" + tmp);
            }
            ok = true;
            return tmp;
        }
        finally
        {
            if (!ok) LibC.UnlinkAt(staging.Fd, tmp, 0);
        }
    }

    /// <summary>
    /// Same as <see cref="StageFileAsync"/> for content already in memory (small files arrive
    /// inline): plain synchronous writes, no thread-pool hops per file.
    /// </summary>
    public string StageBytes(SyncRoot root, FileEntry entry, byte[] data, StagedFsync? durable)
    {
        var display = root.Display(entry.Path);
        if (data.LongLength != entry.Size || data.LongLength > maxFileBytes || Convert.ToHexStringLower(SHA256.HashData(data)) != entry.Sha256)
            throw new InvalidDataException($"{display}: received content does not match sha256 {entry.Sha256}");
        using var staging = OpenStaging(root);
        var tmp = TempName();
        FileDescriptor? fd = FileDescriptor.OpenAt(staging.Fd, tmp, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW, 0b110_000_000, root.StagingPath + "/" + tmp);
        bool ok = false;
        try
        {
            using (var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd.Fd, ownsHandle: false))
            {
                RandomAccess.Write(handle, data, 0);
            }
            SetOwnerModeTime(fd.Fd, entry, display);
            if (durable is null) fd.Fsync(root.StagingPath + "/" + tmp);
            else
            {
                var handedOver = fd;
                fd = null;
                durable.Add(handedOver, root.StagingPath + "/" + tmp);
            }
            ok = true;
            return tmp;
        }
        finally
        {
            fd?.Dispose();
            if (!ok) LibC.UnlinkAt(staging.Fd, tmp, 0);
        }
    }

    public static void DiscardStaged(SyncRoot root, string tmp)
    {
        using var staging = OpenStaging(root);
        LibC.UnlinkAt(staging.Fd, tmp, 0);
    }

    /// <summary>
    /// Renames a staged file over its destination and returns the destination's stat. The destination
    /// directory is fsynced now, or, when <paramref name="parentsToSync"/> is given, kept open there for the
    /// caller to fsync once (and reused for the next file in the same directory).
    /// </summary>
    public static StatInfo? MoveIntoPlace(SyncRoot root, string tmp, RelativePath path, Dictionary<string, FileDescriptor>? parentsToSync)
    {
        using var staging = OpenStaging(root);
        return MoveIntoPlace(root, staging, tmp, path, parentsToSync);
    }

    public void WriteSymlink(SyncRoot root, FileEntry entry)
    {
        using var staging = OpenStaging(root);
        var tmp = TempName();
        if (LibC.SymlinkAt(entry.LinkTarget!, staging.Fd, tmp) != 0) throw PosixException.Last("symlink", root.StagingPath + "/" + tmp);
        try
        {
            if (LibC.FchownAt(staging.Fd, tmp, entry.Uid, entry.Gid, LibC.AT_SYMLINK_NOFOLLOW) != 0)
                throw PosixException.Last("lchown", root.StagingPath + "/" + tmp);
            MoveIntoPlace(root, staging, tmp, entry.Path);
        }
        catch
        {
            LibC.UnlinkAt(staging.Fd, tmp, 0);
            throw;
        }
    }

    public void EnsureDirectory(SyncRoot root, FileEntry entry)
    {
        using var parent = root.OpenParent(entry.Path, create: true, out var leaf);
        var display = root.Display(entry.Path);
        StatInfo.TryStat(parent.Fd, leaf, 0, out var st, out var errno);
        if (errno == 0 && st.Kind != EntryKind.Directory) RemoveEntry(parent.Fd, leaf, st.Kind, display);
        if (errno != 0 || st.Kind != EntryKind.Directory)
        {
            if (LibC.MkdirAt(parent.Fd, leaf, 0b111_000_000) != 0 && LibC.Errno != LibC.EEXIST) throw PosixException.Last("mkdir", display);
        }
        using (var dir = FileDescriptor.OpenAt(parent.Fd, leaf, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW, 0, display))
        {
            if (LibC.Fchown(dir.Fd, entry.Uid, entry.Gid) != 0) throw PosixException.Last("chown", display);
            if (LibC.Fchmod(dir.Fd, (uint)entry.Mode) != 0) throw PosixException.Last("chmod", display);
        }
        parent.Fsync(display);
    }

    /// <summary>Content already matches: change owner, mode and mtime in place.</summary>
    public void SetMetadata(SyncRoot root, FileEntry entry)
    {
        using var parent = root.OpenParent(entry.Path, create: false, out var leaf);
        var display = root.Display(entry.Path);
        using var fd = FileDescriptor.OpenAt(parent.Fd, leaf, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK, 0, display);
        SetOwnerModeTime(fd.Fd, entry, display);
        fd.Fsync(display);
    }

    /// <summary>Removes the path; false when a directory still has children (kept, not forced).</summary>
    public bool Delete(SyncRoot root, RelativePath path)
    {
        FileDescriptor parent;
        try
        {
            parent = root.OpenParent(path, create: false, out var _);
        }
        catch (PosixException e) when (e.Errno == LibC.ENOENT)
        {
            return true;
        }
        using (parent)
        {
            var leaf = path.IsRoot ? root.LeafName : path.Name;
            var display = root.Display(path);
            if (!StatInfo.TryStat(parent.Fd, leaf, 0, out var st, out _)) return true;
            if (st.Kind == EntryKind.Directory && LibC.UnlinkAt(parent.Fd, leaf, LibC.AT_REMOVEDIR) != 0)
            {
                if (LibC.Errno == LibC.ENOTEMPTY) return false;
                throw PosixException.Last("rmdir", display);
            }
            if (st.Kind != EntryKind.Directory) RemoveEntry(parent.Fd, leaf, st.Kind, display);
            parent.Fsync(display);
            return true;
        }
    }

    /// <summary>lstat of a synced path through a symlink-free parent chain (null when absent).</summary>
    public static StatInfo? Stat(SyncRoot root, RelativePath path)
    {
        try
        {
            using var parent = root.OpenParent(path, create: false, out var leaf);
            return StatInfo.TryStat(parent.Fd, leaf, 0, out var st, out _) ? st : null;
        }
        catch (PosixException e) when (e.Errno == LibC.ENOENT)
        {
            return null;
        }
    }

    /// <summary>Opens a synced regular file for reading without following any symlink.</summary>
    public static FileStream OpenRead(SyncRoot root, RelativePath path)
    {
        using var parent = root.OpenParent(path, create: false, out var leaf);
        var fd = FileDescriptor.OpenAt(parent.Fd, leaf, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK, 0, root.Display(path));
        return new FileStream(fd.ToSafeFileHandle(), FileAccess.Read, 1);
    }

    private static StatInfo? MoveIntoPlace(SyncRoot root, FileDescriptor staging, string tmp, RelativePath path,
        Dictionary<string, FileDescriptor>? parentsToSync = null)
    {
        var key = path.IsRoot ? root.Id + "/.." : root.Id + "/" + path.Parent.Value;
        string leaf;
        FileDescriptor? owned = null;
        if (parentsToSync?.TryGetValue(key, out var parent) != true) parent = owned = root.OpenParent(path, create: true, out leaf);
        else leaf = path.IsRoot ? root.LeafName : path.Name;
        var display = root.Display(path);
        try
        {
            if (StatInfo.TryStat(parent!.Fd, leaf, 0, out var st, out _) && st.Kind == EntryKind.Directory)
            {
                // Type change dir -> file/link: only an empty directory may go.
                if (LibC.UnlinkAt(parent.Fd, leaf, LibC.AT_REMOVEDIR) != 0) throw PosixException.Last("rmdir", display);
            }
            if (LibC.RenameAt(staging.Fd, tmp, parent.Fd, leaf) != 0) throw PosixException.Last("rename", display);
            StatInfo? placed = StatInfo.TryStat(parent.Fd, leaf, 0, out var after, out _) ? after : null;
            if (parentsToSync is null) parent.Fsync(display);
            else if (owned is not null && parentsToSync.TryAdd(key, owned)) owned = null; // kept open; fsynced once by the caller
            return placed;
        }
        finally
        {
            owned?.Dispose();
        }
    }

    private static void SetOwnerModeTime(int fd, FileEntry entry, string display)
    {
        // chown first: it clears setuid/setgid, which chmod then restores.
        if (LibC.Fchown(fd, entry.Uid, entry.Gid) != 0) throw PosixException.Last("chown", display);
        if (LibC.Fchmod(fd, (uint)entry.Mode) != 0) throw PosixException.Last("chmod", display);
        unsafe
        {
            var times = stackalloc LibC.Timespec[2];
            times[0] = new LibC.Timespec { Sec = 0, Nsec = (1L << 30) - 2 }; // UTIME_OMIT: leave atime alone
            times[1] = new LibC.Timespec { Sec = Math.DivRem(entry.MtimeNs, 1_000_000_000L, out var ns), Nsec = ns };
            if (times[1].Nsec < 0) { times[1].Sec -= 1; times[1].Nsec += 1_000_000_000L; }
            if (LibC.Futimens(fd, times) != 0) throw PosixException.Last("utimens", display);
        }
    }

    private static void RemoveEntry(int dirfd, string leaf, EntryKind? kind, string display)
    {
        if (LibC.UnlinkAt(dirfd, leaf, kind == EntryKind.Directory ? LibC.AT_REMOVEDIR : 0) != 0 && LibC.Errno != LibC.ENOENT)
            throw PosixException.Last("unlink", display);
    }

    internal static FileDescriptor OpenStaging(SyncRoot root)
    {
        var fd = LibC.OpenAt(LibC.AT_FDCWD, root.StagingPath, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        if (fd >= 0) return new FileDescriptor(fd);
        Directory.CreateDirectory(root.StagingPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return FileDescriptor.OpenAt(LibC.AT_FDCWD, root.StagingPath, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW, 0, root.StagingPath);
    }

    private static string TempName() => "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) + ".tmp";
}
