namespace Gatehouse.Server.Storage;

/// The audit log's vocabulary.
internal static class AuditActions
{
    public const string ClientCreated = "client.created";
    public const string ClientUpdated = "client.updated";
    public const string ClientDeleted = "client.deleted";
    public const string SecretAdded = "secret.added";
    public const string SecretRevoked = "secret.revoked";
    public const string TokensRevoked = "tokens.revoked";
    public const string KeyRotated = "key.rotated";
    public const string KeyCreated = "key.created";
    public const string KeyRevoked = "key.revoked";
}
