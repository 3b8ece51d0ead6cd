using SaltHaGateway.Sync.Apply;
using SaltHaGateway.Sync.Native;
using SaltHaGateway.Sync.Tests.Infrastructure;

namespace SaltHaGateway.Sync.Tests.Apply;

public sealed class StagedFsyncTests
{
    /// <summary>This process's descriptors that point into <paramref name="dir"/> (robust to numbers reused by other tests).</summary>
    private static List<string> OpenUnder(string dir) =>
        Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Select(l => { try { return new FileInfo(l).LinkTarget; } catch (IOException) { return null; } })
            .Where(t => t is not null && t.StartsWith(dir + "/", StringComparison.Ordinal)).Select(t => t!).ToList();

    [Fact]
    public void Every_handed_over_file_is_fsynced_and_closed_once_WaitAll_returns()
    {
        using var dir = new TempDir();
        using (var durable = new StagedFsync(maxThreads: 4, maxQueued: 8))
        {
            for (int i = 0; i < 100; i++) // more than the queue holds: Add waits for the threads instead of piling up
            {
                var path = Path.Combine(dir.Path, $"f{i}");
                File.WriteAllText(path, "x");
                var fd = FileDescriptor.OpenAt(LibC.AT_FDCWD, path, LibC.O_RDONLY, 0, path);
                durable.Add(fd, path);
            }
            durable.WaitAll();
            Assert.Empty(OpenUnder(dir.Path));
        }
    }

    [Fact]
    public void A_failed_fsync_is_reported_by_WaitAll_and_later_files_are_refused_and_closed()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "f");
        File.WriteAllText(path, "x");
        using var durable = new StagedFsync(maxThreads: 1);
        // A character device without fsync support: fsync fails with EINVAL.
        durable.Add(FileDescriptor.OpenAt(LibC.AT_FDCWD, "/dev/null", LibC.O_RDONLY, 0, "/dev/null"), "/dev/null");
        var failure = Assert.Throws<PosixException>(durable.WaitAll);
        Assert.Contains("/dev/null", failure.Message);
        Assert.Throws<PosixException>(() => durable.Add(FileDescriptor.OpenAt(LibC.AT_FDCWD, path, LibC.O_RDONLY, 0, path), path));
        Assert.Empty(OpenUnder(dir.Path));
    }
}
