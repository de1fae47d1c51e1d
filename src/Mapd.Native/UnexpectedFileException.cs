namespace Mapd.Native;

/// <summary>
/// A name in a directory mapd owns is not the kind of file mapd puts there: a symlink, a
/// directory, a FIFO, a socket or a device, or a file larger than any mapd writes. Nothing was
/// read from it and nothing waited on it.
/// </summary>
public sealed class UnexpectedFileException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/>; <paramref name="problem"/> completes "PATH ...".</summary>
    public UnexpectedFileException(string path, string problem)
        : base($"{path} {problem}")
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it, e.g. "is a FIFO, not a regular file".</summary>
    public string Problem { get; }

    /// <summary>The kind of file <paramref name="status"/> describes, for messages.</summary>
    public static string KindOf(FileStatus status) => (status.Mode & 0xF000) switch
    {
        0x8000 => "a regular file",
        0x4000 => "a directory",
        0xA000 => "a symbolic link",
        0x1000 => "a FIFO",
        0xC000 => "a socket",
        0x2000 => "a character device",
        0x6000 => "a block device",
        _ => $"a file of type 0{(status.Mode & 0xF000) >> 12:o}",
    };
}
