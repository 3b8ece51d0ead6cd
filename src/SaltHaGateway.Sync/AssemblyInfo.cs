// The sync engine talks to the Linux kernel directly (inotify, statx, *at calls).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
