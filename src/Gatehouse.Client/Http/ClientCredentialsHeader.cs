using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Gatehouse.Client.Http;

/// client_secret_basic: RFC 6749 §2.3.1 form-url-encodes id and secret before base64, so a secret with
/// ':' or non-ASCII characters survives the trip.
internal static class ClientCredentialsHeader
{
    public static AuthenticationHeaderValue Basic(string clientId, string clientSecret)
    {
        var pair = WebUtility.UrlEncode(clientId) + ":" + WebUtility.UrlEncode(clientSecret);
        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
    }
}
