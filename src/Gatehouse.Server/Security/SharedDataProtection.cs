using System.Xml.Linq;
using Gatehouse.Server.Storage.Relational;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Security;

/// ASP.NET Core Data Protection with its key ring in the store and each key wrapped by the root key, so
/// cookies and anti-forgery tokens made on one node verify on every other (SPEC 8, scale-out) and a stolen
/// database alone reveals no key.
internal static class SharedDataProtection
{
    public static IServiceCollection AddSharedDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("gatehouse");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new StoreXmlRepository(sp.GetRequiredService<RelationalDatabase>());
            o.XmlEncryptor = new RootKeyXmlEncryptor(sp.GetRequiredService<KeyEncryption>());
        }));
        return services;
    }
}

/// The key ring as rows of `data_protection_keys`. Data Protection reads it rarely (it caches the ring)
/// and its interface is synchronous, hence the blocking calls.
internal sealed class StoreXmlRepository(RelationalDatabase database) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = database.OpenConnectionAsync(CancellationToken.None).GetAwaiter().GetResult();
        using var command = database.Command(connection, "SELECT xml FROM data_protection_keys ORDER BY name");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = database.OpenConnectionAsync(CancellationToken.None).GetAwaiter().GetResult();
        // Two nodes creating a key at once both keep theirs: the names differ, and the ring holds both.
        database.ExecuteAsync(connection, null, "INSERT INTO data_protection_keys(name, xml) VALUES (@name, @xml) ON CONFLICT (name) DO NOTHING",
            CancellationToken.None, ("name", friendlyName), ("xml", element.ToString(SaveOptions.DisableFormatting))).GetAwaiter().GetResult();
    }
}

internal sealed class RootKeyXmlEncryptor(KeyEncryption encryption) : IXmlEncryptor
{
    private static readonly byte[] Purpose = "data-protection-key"u8.ToArray();

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedBytes = encryption.Encrypt(bytes, Purpose);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
        return new EncryptedXmlInfo(new XElement("rootKeyWrapped", Convert.ToBase64String(sealedBytes)), typeof(RootKeyXmlDecryptor));
    }

    internal static XElement Decrypt(KeyEncryption encryption, XElement encryptedElement) =>
        XElement.Parse(System.Text.Encoding.UTF8.GetString(encryption.Decrypt(Convert.FromBase64String(encryptedElement.Value), Purpose)));
}

/// Created by Data Protection by type name, with the service provider.
internal sealed class RootKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement) =>
        RootKeyXmlEncryptor.Decrypt(services.GetRequiredService<KeyEncryption>(), encryptedElement);
}
