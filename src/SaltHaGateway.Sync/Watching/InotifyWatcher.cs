using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.Native;
using SaltHaGateway.Sync.Roots;

namespace SaltHaGateway.Sync.Watching;

/// <summary>
/// Raw inotify (FileSystemWatcher never reports IN_CLOSE_WRITE and silently dies when its root is
/// replaced). One watch per directory plus one on each root's parent to see the root itself come
/// and go. Events are only hints written to a channel; anything lost turns into an Overflow, which
/// the engine answers with a full rescan.
/// </summary>
internal sealed partial class InotifyWatcher : IDisposable
{
    private const uint IN_ATTRIB = 0x4, IN_CLOSE_WRITE = 0x8, IN_MOVED_FROM = 0x40, IN_MOVED_TO = 0x80, IN_CREATE = 0x100,
        IN_DELETE = 0x200, IN_DELETE_SELF = 0x400, IN_MOVE_SELF = 0x800, IN_Q_OVERFLOW = 0x4000, IN_IGNORED = 0x8000,
        IN_ONLYDIR = 0x1000000, IN_DONT_FOLLOW = 0x2000000, IN_EXCL_UNLINK = 0x4000000, IN_ISDIR = 0x40000000;
    private const uint TreeMask = IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
        | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK;
    private const uint ParentMask = IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ONLYDIR | IN_DONT_FOLLOW;

    private readonly int _fd;
    private readonly IReadOnlyCollection<SyncRoot> _roots;
    private readonly IgnoreRules _ignore;
    private readonly ChannelWriter<WatchEvent> _out;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    // wd -> (root, path below it); parent watches map to a list of roots (several roots can share a parent).
    private readonly Dictionary<int, (SyncRoot Root, RelativePath Path)> _dirs = new();
    private readonly Dictionary<int, List<SyncRoot>> _parents = new();
    private Thread? _thread;
    private volatile bool _stop;
    private readonly ManualResetEventSlim? _readGate;

    public InotifyWatcher(IReadOnlyCollection<SyncRoot> roots, IgnoreRules ignore, ChannelWriter<WatchEvent> output, ILogger logger,
        ManualResetEventSlim? readGate = null)
    {
        _readGate = readGate;
        _roots = roots;
        _ignore = ignore;
        _out = output;
        _logger = logger;
        _fd = LibC.InotifyInit1(LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (_fd < 0) throw PosixException.Last("inotify_init1", "(max_user_instances?)");
    }

    public void Start()
    {
        foreach (var root in _roots)
        {
            var wd = LibC.InotifyAddWatch(_fd, root.ParentPath, ParentMask);
            if (wd >= 0)
            {
                lock (_lock)
                {
                    if (!_parents.TryGetValue(wd, out var list)) _parents[wd] = list = [];
                    if (!list.Contains(root)) list.Add(root);
                }
            }
            else LogWatchFailed(root.ParentPath, Marshal.GetPInvokeErrorMessage(LibC.Errno));
            AddTree(root, RelativePath.Root);
        }
        _thread = new Thread(ReadLoop) { IsBackground = true, Name = "sync inotify" };
        _thread.Start();
    }

    /// <summary>Watches a directory and everything below it (re-adding refreshes the path of a moved directory).</summary>
    public void AddTree(SyncRoot root, RelativePath path)
    {
        var physical = path.IsRoot ? root.PhysicalPath : root.PhysicalPath + "/" + path.Value;
        if (StatInfo.LStat(physical) is not { Kind: EntryKind.Directory }) return;
        var wd = LibC.InotifyAddWatch(_fd, physical, TreeMask);
        if (wd < 0)
        {
            var errno = LibC.Errno;
            if (errno != LibC.ENOENT && errno != LibC.ENOTDIR)
            {
                LogWatchFailed(physical, Marshal.GetPInvokeErrorMessage(errno));
                _out.TryWrite(new WatchEvent(WatchEventKind.Overflow, root.Id, RelativePath.Root, true));
            }
            return;
        }
        lock (_lock) _dirs[wd] = (root, path);
        IEnumerable<string> children;
        try
        {
            children = Directory.EnumerateDirectories(physical).Select(Path.GetFileName).OfType<string>().ToList();
        }
        catch (IOException) { return; }
        catch (UnauthorizedAccessException) { return; }
        foreach (var name in children)
        {
            if (RelativePath.IsValidSegment(name, out _) && !_ignore.IsIgnoredName(name)) AddTree(root, path.Append(name));
        }
    }

    private unsafe void ReadLoop()
    {
        var buffer = new byte[64 * 1024];
        var poll = new LibC.PollFd { Fd = _fd, Events = 1 };
        while (!_stop)
        {
            int ready = LibC.Poll(&poll, 1, 250);
            if (ready <= 0) continue;
            if (_readGate is not null && !_readGate.Wait(250)) continue;
            nint n;
            fixed (byte* p = buffer) n = LibC.Read(_fd, p, buffer.Length);
            if (n <= 0) continue;
            int offset = 0;
            while (offset + 16 <= n)
            {
                int wd = BitConverter.ToInt32(buffer, offset);
                uint mask = BitConverter.ToUInt32(buffer, offset + 4);
                int len = (int)BitConverter.ToUInt32(buffer, offset + 12);
                var name = len > 0 ? Encoding.UTF8.GetString(buffer, offset + 16, len).TrimEnd('\0') : "";
                offset += 16 + len;
                Handle(wd, mask, name);
            }
        }
    }

    private void Handle(int wd, uint mask, string name)
    {
        if ((mask & IN_Q_OVERFLOW) != 0)
        {
            LogOverflow();
            _out.TryWrite(new WatchEvent(WatchEventKind.Overflow, "", RelativePath.Root, true));
            return;
        }
        (SyncRoot Root, RelativePath Path) dir;
        List<SyncRoot>? parentRoots;
        lock (_lock)
        {
            if ((mask & IN_IGNORED) != 0)
            {
                _dirs.Remove(wd);
                _parents.Remove(wd);
                return;
            }
            _dirs.TryGetValue(wd, out dir);
            _parents.TryGetValue(wd, out parentRoots);
        }
        if (parentRoots is not null)
        {
            foreach (var root in parentRoots.Where(r => r.LeafName == name))
            {
                if ((mask & (IN_CREATE | IN_MOVED_TO)) != 0 && (mask & IN_ISDIR) != 0) AddTree(root, RelativePath.Root);
                _out.TryWrite(new WatchEvent(WatchEventKind.RootChanged, root.Id, RelativePath.Root, true));
            }
        }
        if (dir.Root is null) return;
        if ((mask & (IN_DELETE_SELF | IN_MOVE_SELF)) != 0)
        {
            _out.TryWrite(new WatchEvent(dir.Path.IsRoot ? WatchEventKind.RootChanged : WatchEventKind.Path, dir.Root.Id, dir.Path, true));
            return;
        }
        if (name.Length == 0)
        {
            _out.TryWrite(new WatchEvent(WatchEventKind.Path, dir.Root.Id, dir.Path, false));
            return;
        }
        if (!RelativePath.IsValidSegment(name, out _) || _ignore.IsIgnoredName(name)) return;
        var path = dir.Path.Append(name);
        bool newDir = (mask & IN_ISDIR) != 0 && (mask & (IN_CREATE | IN_MOVED_TO)) != 0;
        // Watch first, then report: the recursive scan that follows catches whatever landed before the watch.
        if (newDir) AddTree(dir.Root, path);
        _out.TryWrite(new WatchEvent(WatchEventKind.Path, dir.Root.Id, path, newDir, (mask & IN_CLOSE_WRITE) != 0));
    }

    public void Dispose()
    {
        _stop = true;
        _thread?.Join(TimeSpan.FromSeconds(2));
        LibC.Close(_fd);
    }

    [LoggerMessage(EventId = 4501, Level = LogLevel.Warning, Message = "inotify queue overflow: a full rescan follows")]
    private partial void LogOverflow();

    [LoggerMessage(EventId = 4502, Level = LogLevel.Error, Message = "Cannot watch {Path}: {Error}; relying on periodic rescans")]
    private partial void LogWatchFailed(string path, string error);
}
