using System.Collections.Concurrent;

namespace Gatehouse.Server.Tokens;

/// Bounded memory of tokens whose signature checked out (keyed by a digest, never the token), evicting the
/// least recently used a quarter at a time: entries live in four generations; a hit in an older generation
/// moves the entry to the newest; when the newest is full, the oldest generation (nothing in it used since
/// three newer ones filled) is dropped. So the cache is never emptied at once, and one client minting many
/// tokens only pushes out what nobody has used lately (docs/hardening.md item 10).
internal sealed class VerifiedTokenCache(int capacity)
{
    private const int Generations = 4;
    private readonly int _perGeneration = Math.Max(1, capacity / Generations);
    private readonly Lock _rotation = new();
    private Generation[] _generations = [new(), new(), new(), new()]; // [0] is the newest

    /// Entries held, counting an entry moved to a newer generation until its old copy is dropped.
    public int Count => Volatile.Read(ref _generations).Sum(g => g.Count);

    public bool TryGet(UInt128 key, out VerifiedAccessToken token)
    {
        var generations = Volatile.Read(ref _generations);
        if (generations[0].Entries.TryGetValue(key, out token!)) return true;
        for (var i = 1; i < generations.Length; i++)
        {
            if (!generations[i].Entries.TryGetValue(key, out token!)) continue;
            Add(key, token); // used again: keep it
            return true;
        }
        return false;
    }

    public void Add(UInt128 key, VerifiedAccessToken token)
    {
        var generations = Volatile.Read(ref _generations);
        var newest = generations[0];
        if (!newest.Entries.TryAdd(key, token)) return;
        if (Interlocked.Increment(ref newest.Count) >= _perGeneration) Rotate(generations);
    }

    public void Remove(UInt128 key)
    {
        foreach (var generation in Volatile.Read(ref _generations))
            if (generation.Entries.TryRemove(key, out _)) Interlocked.Decrement(ref generation.Count);
    }

    private void Rotate(Generation[] full)
    {
        lock (_rotation)
        {
            if (!ReferenceEquals(_generations, full)) return; // another thread rotated already
            Volatile.Write(ref _generations, [new(), full[0], full[1], full[2]]);
        }
    }

    private sealed class Generation
    {
        public readonly ConcurrentDictionary<UInt128, VerifiedAccessToken> Entries = new();
        public int Count;
    }
}
