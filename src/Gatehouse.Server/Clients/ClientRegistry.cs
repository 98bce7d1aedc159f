using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Gatehouse.Server.Clients;

/// The in-memory view of every client, read by the hot path; StoreSync keeps it fresh from the store.
internal sealed class ClientRegistry
{
    private readonly ConcurrentDictionary<string, Client> _clients = new(StringComparer.Ordinal);

    public bool TryGet(string clientId, [NotNullWhen(true)] out Client? client) => _clients.TryGetValue(clientId, out client);

    /// Changes whenever a client does: views derived from all clients (CORS origins) rebuild on a change.
    public long Version => Interlocked.Read(ref _version);

    private long _version;

    public IEnumerable<Client> All => _clients.Values;

    public void Set(Client client)
    {
        _clients[client.ClientId] = client;
        Interlocked.Increment(ref _version);
    }

    public void Remove(string clientId)
    {
        _clients.TryRemove(clientId, out _);
        Interlocked.Increment(ref _version);
    }

    public void ReplaceAll(IEnumerable<Client> clients)
    {
        var fresh = clients.ToDictionary(c => c.ClientId, StringComparer.Ordinal);
        foreach (var id in _clients.Keys)
            if (!fresh.ContainsKey(id)) _clients.TryRemove(id, out _);
        foreach (var client in fresh.Values) _clients[client.ClientId] = client;
        Interlocked.Increment(ref _version);
    }
}
