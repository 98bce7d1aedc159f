using Gatehouse.Server.Clients;

namespace Gatehouse.Server.RateLimiting;

/// The per-client token-endpoint limit: in this process, or shared by every node through Redis.
internal interface ITokenRateLimiter
{
    /// Zero when the request may proceed; otherwise the seconds the client should wait.
    ValueTask<int> AcquireAsync(Client client);
}
