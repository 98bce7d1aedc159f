using System.Net;

namespace Gatehouse.Client.Http;

/// Reads the error code of a Bearer challenge (RFC 6750 §3): <c>WWW-Authenticate: Bearer error="invalid_token", …</c>.
internal static class BearerChallenge
{
    public static bool IsInvalidToken(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.Unauthorized) return false;
        foreach (var challenge in response.Headers.WwwAuthenticate)
        {
            if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || challenge.Parameter is null) continue;
            if (ErrorCode(challenge.Parameter) == "invalid_token") return true;
        }
        return false;
    }

    // auth-params are comma-separated name=value pairs, values optionally quoted (RFC 9110 §11.2).
    private static string? ErrorCode(string parameters)
    {
        foreach (var part in parameters.Split(','))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length == 2 && pair[0].Equals("error", StringComparison.OrdinalIgnoreCase))
                return pair[1].Trim('"');
        }
        return null;
    }
}
