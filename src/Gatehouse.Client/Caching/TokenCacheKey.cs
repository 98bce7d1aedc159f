using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Client.Caching;

/// Seed 002: tokens are keyed by client and scope set; we add the authority and audience, since a token
/// for one API or one server must never be handed to another. Hashed so the cache does not list client ids.
internal static class TokenCacheKey
{
    public static string For(GatehouseClientOptions options)
    {
        var identity = string.Join('\n', options.NormalizedAuthority, options.ClientId, options.ScopeSet, options.Audience ?? "");
        return "gatehouse:token:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
    }
}
