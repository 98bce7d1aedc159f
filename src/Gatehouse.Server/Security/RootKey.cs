using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Server.Security;

/// The server's one root secret. Everything keyed (secret hashes, signing-key encryption) derives
/// from it with HKDF (RFC 5869), so each use has its own key and the root never touches data.
internal sealed class RootKey
{
    public const string FileName = "root.key";
    private readonly byte[] _root;

    private RootKey(byte[] root) => _root = root;

    public byte[] Derive(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _root, 32, salt: [], info: Encoding.UTF8.GetBytes("gatehouse/" + purpose));

    /// From configuration (base64 of 32 bytes), else from data/root.key, created 0600 on first use.
    public static RootKey Load(GatehouseOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.KeyEncryptionKey))
        {
            byte[] configured;
            try { configured = Convert.FromBase64String(options.KeyEncryptionKey); }
            catch (FormatException) { throw new InvalidOperationException("Gatehouse:KeyEncryptionKey must be base64."); }
            if (configured.Length != 32)
                throw new InvalidOperationException("Gatehouse:KeyEncryptionKey must be 32 bytes (base64 of 32 random bytes).");
            return new RootKey(configured);
        }
        Directory.CreateDirectory(options.DataDirectory);
        var path = Path.Combine(options.DataDirectory, FileName);
        return new RootKey(ReadOrCreateKeyFile(path));
    }

    private static byte[] ReadOrCreateKeyFile(string path)
    {
        if (File.Exists(path)) return ReadKeyFile(path);
        var key = RandomNumberGenerator.GetBytes(32);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, create))
        {
            stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
            stream.Flush(flushToDisk: true);
        }
        try
        {
            // Two processes starting at once (server and CLI): the first rename wins, both use its key.
            File.Move(temp, path, overwrite: false);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
            return ReadKeyFile(path);
        }
    }

    private static byte[] ReadKeyFile(string path)
    {
        var key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        if (key.Length != 32) throw new InvalidOperationException($"{path} does not hold a 32-byte key.");
        return key;
    }
}
