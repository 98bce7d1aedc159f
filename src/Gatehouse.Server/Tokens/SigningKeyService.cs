using System.Security.Cryptography;
using System.Text;
using Gatehouse.Server.Clients;
using Gatehouse.Server.Scaling;
using Gatehouse.Server.Security;
using Gatehouse.Server.Storage;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Server.Tokens;

/// Owns the key ring: creates, rotates and revokes keys in the store and keeps the current
/// KeyRing in memory for the hot path (signing, JWKS, verification).
internal sealed partial class SigningKeyService(
    ISigningKeyStore store,
    KeyEncryption encryption,
    TimeProvider clock,
    IChangeSignal signal,
    IOptions<GatehouseOptions> options,
    ILogger<SigningKeyService> logger)
{
    private readonly KeyOptions _keys = options.Value.Keys;
    private readonly TimeSpan _retention = options.Value.Tokens.AccessTokenLifetime + options.Value.Keys.ClockSkew;
    private IReadOnlyList<SigningKey> _all = [];
    private volatile KeyRing _ring = new([], DateTimeOffset.MinValue, TimeSpan.Zero);

    public KeyRing Current => _ring;

    public IReadOnlyList<SigningKey> All => _all;

    /// Reads every key from the store. A key that does not decrypt (written under another root key) is
    /// left out and logged; if none decrypts, this process has the wrong Gatehouse:KeyEncryptionKey and
    /// must not write anything, so it throws.
    public async Task ReloadAsync(CancellationToken ct)
    {
        var stored = await store.LoadAllAsync(ct);
        var keys = new List<SigningKey>(stored.Count);
        foreach (var key in stored)
        {
            byte[] pkcs8;
            try { pkcs8 = encryption.Decrypt(key.EncryptedPrivateKey, AssociatedData(key.Kid, key.Algorithm)); }
            catch (CryptographicException)
            {
                LogUndecryptableKey(logger, key.Kid);
                continue;
            }
            try
            {
                AsymmetricAlgorithm material = key.Algorithm == SigningAlgorithms.RS256 ? RSA.Create() : ECDsa.Create();
                material.ImportPkcs8PrivateKey(pkcs8, out _);
                keys.Add(new SigningKey(key.Kid, key.Algorithm, material, key.CreatedAt, key.ActivatesAt, key.RevokedAt));
            }
            finally { CryptographicOperations.ZeroMemory(pkcs8); }
        }
        if (stored.Count > 0 && keys.Count == 0)
            throw new InvalidOperationException(
                "No signing key in the store decrypts with this process's root key: set the Gatehouse:KeyEncryptionKey " +
                "(or use the root.key) the store was created with.");
        _all = keys;
        Recompute();
    }

    /// Rebuilds the ring when the clock has passed its next transition. Cheap when nothing is due.
    public void RecomputeIfDue()
    {
        if (clock.GetUtcNow() >= _ring.NextTransition) Recompute();
    }

    /// On first start (and after a revocation emptied an algorithm): a key that signs now.
    public async Task EnsureSignersAsync(CancellationToken ct)
    {
        var created = false;
        foreach (var algorithm in SigningAlgorithms.All)
        {
            if (_ring.SignerFor(algorithm) is not null) continue;
            var now = clock.GetUtcNow();
            // Only if no other process created a signer meanwhile.
            created |= await CreateAsync(algorithm, now, Actor.System, AuditActions.KeyCreated,
                new ActivationWindow(DateTimeOffset.UnixEpoch, now), ct) is not null;
        }
        if (created) await ReloadAsync(ct);
    }

    /// SPEC 6: the new key is published now and signs after the pre-publication period.
    public async Task<IReadOnlyList<StoredSigningKey>> RotateAsync(IEnumerable<string> algorithms, Actor actor, CancellationToken ct)
    {
        await ReloadAsync(ct); // fails before writing when this process has the wrong root key
        var activatesAt = clock.GetUtcNow() + _keys.PrePublish;
        var created = new List<StoredSigningKey>();
        foreach (var algorithm in algorithms)
            created.Add((await CreateAsync(algorithm, activatesAt, actor, AuditActions.KeyRotated, unlessActivating: null, ct))!);
        await ReloadAsync(ct);
        return created;
    }

    /// Scheduled rotation: when the newest key of an algorithm is older than the interval (less the
    /// pre-publication time), publish its successor.
    public async Task RotateIfDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // A successor is due once the newest key is older than the interval less the pre-publication time;
        // the window makes the store skip it when another node has just published one.
        var dueBefore = now - _keys.RotationInterval + _keys.PrePublish;
        var rotated = false;
        foreach (var algorithm in SigningAlgorithms.All)
        {
            var newest = _all.Where(k => k.Algorithm == algorithm && k.RevokedAt is null).MaxBy(k => k.ActivatesAt);
            if (newest is null || newest.ActivatesAt > dueBefore) continue;
            rotated |= await CreateAsync(algorithm, now + _keys.PrePublish, Actor.System, AuditActions.KeyRotated,
                new ActivationWindow(dueBefore.AddMilliseconds(1), DateTimeOffset.MaxValue), ct) is not null;
        }
        if (rotated) await ReloadAsync(ct);
    }

    /// For a compromised key: out of the JWKS at once, its tokens stop verifying. If it was signing, a fresh
    /// key signs from now on — never an older key that verifiers may long have dropped from their caches.
    public async Task<bool> RevokeAsync(string kid, Actor actor, CancellationToken ct)
    {
        await ReloadAsync(ct);
        var revoked = _all.FirstOrDefault(k => k.Kid == kid && k.RevokedAt is null);
        if (revoked is null) return false;
        var now = clock.GetUtcNow();
        if (_ring.SignerFor(revoked.Algorithm) == revoked)
        {
            // The successor first, so that at no moment does an older key sign again. Skipped when another
            // process has just created one newer than the revoked key.
            await CreateAsync(revoked.Algorithm, now, actor, AuditActions.KeyCreated,
                new ActivationWindow(revoked.ActivatesAt.AddMilliseconds(1), now), ct); // stores keep ms at least
        }
        if (!await store.RevokeAsync(kid, now, new AuditEntry(now, actor.Name, AuditActions.KeyRevoked, kid, actor.SourceAddress), ct))
            return false;
        await signal.PublishAsync();
        await ReloadAsync(ct);
        await EnsureSignersAsync(ct);
        return true;
    }

    private async Task<StoredSigningKey?> CreateAsync(string algorithm, DateTimeOffset activatesAt, Actor actor, string action,
        ActivationWindow? unlessActivating, CancellationToken ct)
    {
        using AsymmetricAlgorithm material = algorithm == SigningAlgorithms.RS256 ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var kid = NewKid(algorithm);
        var pkcs8 = material.ExportPkcs8PrivateKey();
        try
        {
            var stored = new StoredSigningKey(kid, algorithm, encryption.Encrypt(pkcs8, AssociatedData(kid, algorithm)),
                clock.GetUtcNow(), activatesAt, null);
            var audit = new AuditEntry(clock.GetUtcNow(), actor.Name, action, kid, actor.SourceAddress,
                AuditDetails.Of(("alg", algorithm), ("activates_at", activatesAt)));
            if (!await store.AddAsync(stored, unlessActivating, audit, ct)) return null;
            await signal.PublishAsync();
            return stored;
        }
        finally { CryptographicOperations.ZeroMemory(pkcs8); }
    }

    private void Recompute() => _ring = new KeyRing(_all, clock.GetUtcNow(), _retention);

    /// Binds the ciphertext to its key id and algorithm: a swapped row fails to decrypt.
    private static byte[] AssociatedData(string kid, string algorithm) => Encoding.UTF8.GetBytes(kid + "|" + algorithm);

    private static string NewKid(string algorithm) =>
        (algorithm == SigningAlgorithms.RS256 ? "rs-" : "es-") + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(9));

    [LoggerMessage(Level = LogLevel.Error, Message = "Signing key {Kid} does not decrypt with this process's root key; it is left out.")]
    private static partial void LogUndecryptableKey(ILogger logger, string kid);
}
