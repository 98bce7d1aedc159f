namespace Gatehouse.Testing;

/// Temporary data directories, one per server.
public static class TestDirectories
{
    public static string Create()
    {
        var path = Path.Combine(Path.GetTempPath(), "gatehouse-lib-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        return path;
    }

    public static void Delete(string path)
    {
        try { Directory.Delete(path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
