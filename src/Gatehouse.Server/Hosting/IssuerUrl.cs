using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Hosting;

/// The issuer identifier (RFC 8414 §2): from configuration, else the first URL the server bound.
/// Never from a request's Host or X-Forwarded-* headers, which any caller controls.
internal sealed class IssuerUrl(IOptions<GatehouseOptions> options, IServer server)
{
    private string? _value = Normalize(options.Value.Issuer);

    public string Value => _value ??= FromServerAddresses() ?? throw new InvalidOperationException("The server has not bound an address yet.");

    /// An absolute endpoint URL under the issuer.
    public string Endpoint(string path) => Value + path;

    private string? FromServerAddresses()
    {
        var first = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (first is null) return null;
        var uri = new Uri(first.Replace("://+", "://localhost").Replace("://*", "://localhost"));
        var host = uri.Host is "0.0.0.0" or "[::]" or "::" ? "localhost" : uri.Host;
        return Normalize(new UriBuilder(uri.Scheme, host, uri.Port).Uri.ToString());
    }

    private static string? Normalize(string? issuer) => string.IsNullOrWhiteSpace(issuer) ? null : issuer.Trim().TrimEnd('/');
}
