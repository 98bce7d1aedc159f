using System.Security.Cryptography;
using Gatehouse.Server.Security;

namespace Gatehouse.Server.Tests.Unit;

public class KeyEncryptionTests
{
    private static KeyEncryption WithRoot(byte[] root) =>
        new(RootKey.Load(new GatehouseOptions { KeyEncryptionKey = Convert.ToBase64String(root) }));

    [Fact]
    public void Decrypt_RoundTrips_AndCiphertextHidesPlaintext()
    {
        var encryption = WithRoot(RandomNumberGenerator.GetBytes(32));
        var plaintext = RandomNumberGenerator.GetBytes(138);

        var sealedBytes = encryption.Encrypt(plaintext, "kid-1"u8);

        Assert.Equal(plaintext, encryption.Decrypt(sealedBytes, "kid-1"u8));
        Assert.Equal(-1, sealedBytes.AsSpan().IndexOf(plaintext.AsSpan(0, 16)));
    }

    [Fact]
    public void Decrypt_OtherKidOrOtherRootKey_Fails()
    {
        var root = RandomNumberGenerator.GetBytes(32);
        var sealedBytes = WithRoot(root).Encrypt([1, 2, 3], "kid-1"u8);

        Assert.ThrowsAny<CryptographicException>(() => WithRoot(root).Decrypt(sealedBytes, "kid-2"u8));
        Assert.ThrowsAny<CryptographicException>(() => WithRoot(RandomNumberGenerator.GetBytes(32)).Decrypt(sealedBytes, "kid-1"u8));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void RootKey_GeneratedFile_IsOwnerReadWriteOnly_AndReused()
    {
        var directory = Directory.CreateTempSubdirectory("gatehouse-root-").FullName;
        try
        {
            var options = new GatehouseOptions { DataDirectory = directory };
            var first = RootKey.Load(options).Derive("x");
            var second = RootKey.Load(options).Derive("x");

            Assert.Equal(first, second);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, RootKey.FileName)));
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void RootKey_BadConfiguredKey_FailsWithMessageNamingTheSetting(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => RootKey.Load(new GatehouseOptions { KeyEncryptionKey = value }));

        Assert.Contains("Gatehouse:KeyEncryptionKey", error.Message);
    }
}
