namespace Gatehouse.Server.Tests.Harness;

/// Per-server scratch directories under the system temp folder, so parallel test
/// classes never share a SQLite file or a key file.
internal static class TestDirectories
{
    static readonly string Root = Path.Combine(Path.GetTempPath(), "gatehouse-tests");

    public static string Create()
    {
        var path = Path.Combine(Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static void Delete(string path)
    {
        TestStorage.Forget(path);
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// A data directory a single test creates clients in before it starts its own server.
public sealed class ScratchDirectory : IDisposable
{
    public string Path { get; } = TestDirectories.Create();

    public void Dispose() => TestDirectories.Delete(Path);
}
