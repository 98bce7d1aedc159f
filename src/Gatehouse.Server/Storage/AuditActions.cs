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
    public const string UserCreated = "user.created";
    public const string UserUpdated = "user.updated";
    public const string UserDeleted = "user.deleted";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";
    public const string UserPasswordChanged = "user.password_changed";
}
