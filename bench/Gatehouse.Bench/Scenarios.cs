using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Gatehouse.Bench;

/// <summary>Request plans for each scenario, and a one-request-per-plan functional check before the load.</summary>
internal static class Scenarios
{
    private static readonly byte[] AccessTokenMarker = "\"access_token\""u8.ToArray();
    private static readonly byte[] ActiveMarker = "\"active\":true"u8.ToArray();
    private static readonly byte[] IssuerMarker = "\"issuer\""u8.ToArray();
    private static readonly byte[] KeysMarker = "\"keys\""u8.ToArray();

    private static string Form(string s) => WebUtility.UrlEncode(s);

    public static string BasicHeader(BenchClient c) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Form(c.ClientId) + ":" + Form(c.ClientSecret)));

    private static string PostCredentials(BenchClient c) =>
        "&client_id=" + Form(c.ClientId) + "&client_secret=" + Form(c.ClientSecret);

    /// <summary>
    /// Token load: worker w uses client (w/4) mod clients, client_secret_basic when w is even and
    /// client_secret_post when odd, and narrows the scope to one granted scope when (w/2) is odd.
    /// With 32 connections and 8 clients every client sees all four combinations.
    /// </summary>
    public static WorkerPlan[] TokenPlans(Uri tokenUri, IReadOnlyList<BenchClient> clients, int connections) =>
        TokenPlans([tokenUri], clients, connections);

    /// <summary>
    /// The same requests spread over several nodes: worker w is pinned to node (w + w/2) mod nodes, i.e. dealt
    /// round robin in pairs, so that with two nodes each node gets half the workers and, for every client,
    /// both authentication methods and both scope shapes (plain w mod 2 would send all Basic to one node).
    /// </summary>
    public static WorkerPlan[] TokenPlans(Uri[] tokenUris, IReadOnlyList<BenchClient> clients, int connections)
    {
        var plans = new WorkerPlan[connections];
        for (var w = 0; w < connections; w++)
        {
            var node = (w + w / 2) % tokenUris.Length;
            var tokenUri = tokenUris[node];
            var basic = w % 2 == 0;
            var c = clients[w / 4 % clients.Count];
            var narrow = w / 2 % 2 == 1 && c.Scopes.Length > 0;
            var body = "grant_type=client_credentials";
            string? scope = null;
            if (narrow)
            {
                scope = c.Scopes[w / 4 % c.Scopes.Length];
                body += "&scope=" + Form(scope);
            }
            if (!basic) body += PostCredentials(c);
            plans[w] = new WorkerPlan
            {
                Uris = [tokenUri],
                Bodies = [Encoding.UTF8.GetBytes(body)],
                Authorization = basic ? BasicHeader(c) : null,
                Markers = [AccessTokenMarker],
                Label = $"{(basic ? "basic" : "post")}{(narrow ? " scope=" + scope : "")}{(tokenUris.Length > 1 ? $" node {node + 1}" : "")}",
            };
        }
        return plans;
    }

    public static WorkerPlan[] IntrospectionPlans(Uri introspectUri, IReadOnlyList<BenchClient> clients,
        IReadOnlyList<string[]> tokensPerClient, int connections)
    {
        var plans = new WorkerPlan[connections];
        for (var w = 0; w < connections; w++)
        {
            var basic = w % 2 == 0;
            var ci = w / 2 % clients.Count;
            var c = clients[ci];
            var suffix = basic ? "" : PostCredentials(c);
            var tokens = tokensPerClient[ci];
            plans[w] = new WorkerPlan
            {
                Uris = [introspectUri],
                Bodies = tokens.Select(t => Encoding.UTF8.GetBytes("token=" + Form(t) + "&token_type_hint=access_token" + suffix)).ToArray(),
                Authorization = basic ? BasicHeader(c) : null,
                Markers = [ActiveMarker],
                StartOffset = w * 7 % tokens.Length,
                Label = basic ? "basic" : "post",
            };
        }
        return plans;
    }

    public static WorkerPlan[] DiscoveryPlans(Uri baseUri, int connections)
    {
        Uri[] uris = [new Uri(baseUri, "/.well-known/openid-configuration"), new Uri(baseUri, "/.well-known/jwks.json")];
        var plans = new WorkerPlan[connections];
        for (var w = 0; w < connections; w++)
            plans[w] = new WorkerPlan { Uris = uris, Markers = [IssuerMarker, KeysMarker], StartOffset = w % 2, Label = "discovery" };
        return plans;
    }

    /// <summary>Clients for the floor when Gatehouse was not run: same shape and length as real credentials.</summary>
    public static BenchClient[] FakeClients(int count) => Enumerable.Range(0, count)
        .Select(i => new BenchClient($"cc_client_floor{i:D2}abcdefghijklmnop", "cc_secret_sandbox_" + new string('x', 43) + $"{i:D2}abcdef",
            ["applications:write", "decisions:read", "payments:write"]))
        .ToArray();

    // ---- functional checks (one request per distinct plan, fully parsed) -----------------------------

    public static async Task<List<string>> CheckTokenPlansAsync(HttpClient http, WorkerPlan[] plans, bool strictClaims, CancellationToken ct)
    {
        var problems = new List<string>();
        foreach (var plan in plans.DistinctBy(p => (p.Uris[0], p.Authorization, Encoding.UTF8.GetString(p.Bodies![0]))))
        {
            using var request = plan.Create(0);
            using var response = await http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            var problem = CheckTokenResponse(response, text, plan, strictClaims);
            if (problem is not null) problems.Add($"[{plan.Label}] {problem}");
        }
        return problems;
    }

    private static string? CheckTokenResponse(HttpResponseMessage response, string text, WorkerPlan plan, bool strictClaims)
    {
        if (response.StatusCode != HttpStatusCode.OK) return $"HTTP {(int)response.StatusCode}: {Cut(text)}";
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            var token = root.GetProperty("access_token").GetString() ?? "";
            if (!string.Equals(root.GetProperty("token_type").GetString(), "Bearer", StringComparison.OrdinalIgnoreCase))
                return "token_type is not Bearer";
            var requested = ScopeOf(Encoding.UTF8.GetString(plan.Bodies![0]));
            if (requested is not null && root.TryGetProperty("scope", out var s) && s.GetString() != requested)
                return $"asked for scope '{requested}', got '{s.GetString()}'";
            var jwt = new JsonWebToken(token);
            if (jwt.Alg != "ES256") return $"alg {jwt.Alg}, expected ES256";
            if (jwt.Typ != "at+jwt") return $"typ {jwt.Typ}, expected at+jwt";
            if (string.IsNullOrEmpty(jwt.Kid)) return "no kid";
            if (strictClaims)
                foreach (var claim in new[] { "iss", "sub", "client_id", "aud", "scope", "iat", "exp", "jti" })
                    if (!jwt.TryGetPayloadValue<object>(claim, out _)) return $"claim {claim} missing";
            return null;
        }
        catch (Exception ex)
        {
            return $"{ex.GetType().Name}: {ex.Message} in {Cut(text)}";
        }
    }

    private static string? ScopeOf(string body)
    {
        foreach (var pair in body.Split('&'))
            if (pair.StartsWith("scope=", StringComparison.Ordinal)) return WebUtility.UrlDecode(pair[6..]);
        return null;
    }

    public static async Task<List<string>> CheckIntrospectionPlansAsync(HttpClient http, WorkerPlan[] plans, IReadOnlyList<BenchClient> clients, CancellationToken ct)
    {
        var problems = new List<string>();
        foreach (var plan in plans.DistinctBy(p => (p.Authorization, Encoding.UTF8.GetString(p.Bodies![0]))))
        {
            using var request = plan.Create(0);
            using var response = await http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode != HttpStatusCode.OK) { problems.Add($"[{plan.Label}] HTTP {(int)response.StatusCode}: {Cut(text)}"); continue; }
            try
            {
                using var doc = JsonDocument.Parse(text);
                if (!doc.RootElement.GetProperty("active").GetBoolean()) problems.Add($"[{plan.Label}] active:false for a fresh token: {Cut(text)}");
                else if (!text.Contains("\"active\":true", StringComparison.Ordinal)) problems.Add($"[{plan.Label}] response is not compact JSON; the load check looks for \"active\":true: {Cut(text)}");
            }
            catch (Exception ex) { problems.Add($"[{plan.Label}] {ex.GetType().Name}: {ex.Message} in {Cut(text)}"); }
        }
        return problems;
    }

    public static async Task<List<string>> CheckDiscoveryAsync(HttpClient http, Uri baseUri, CancellationToken ct)
    {
        var problems = new List<string>();
        foreach (var (path, field) in new[] { ("/.well-known/openid-configuration", "issuer"), ("/.well-known/jwks.json", "keys") })
        {
            using var response = await http.GetAsync(new Uri(baseUri, path), ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode != HttpStatusCode.OK) { problems.Add($"{path}: HTTP {(int)response.StatusCode}: {Cut(text)}"); continue; }
            try
            {
                using var doc = JsonDocument.Parse(text);
                if (!doc.RootElement.TryGetProperty(field, out _)) problems.Add($"{path}: no \"{field}\"");
            }
            catch (Exception ex) { problems.Add($"{path}: {ex.GetType().Name}: {ex.Message}"); }
        }
        return problems;
    }

    /// <summary>Mints <paramref name="perClient"/> tokens for each client (client_secret_post) for the introspection pool.</summary>
    public static async Task<string[][]> MintPoolAsync(HttpClient http, Uri tokenUri, IReadOnlyList<BenchClient> clients, int perClient, int parallelism, CancellationToken ct)
    {
        var pool = clients.Select(_ => new string[perClient]).ToArray();
        var jobs = Enumerable.Range(0, clients.Count).SelectMany(c => Enumerable.Range(0, perClient).Select(i => (c, i)));
        await Parallel.ForEachAsync(jobs, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (job, token) =>
        {
            var c = clients[job.c];
            using var content = new StringContent("grant_type=client_credentials" + PostCredentials(c), Encoding.UTF8, "application/x-www-form-urlencoded");
            content.Headers.ContentType!.CharSet = null;
            using var response = await http.PostAsync(tokenUri, content, token);
            var text = await response.Content.ReadAsStringAsync(token);
            if (response.StatusCode != HttpStatusCode.OK)
                throw new BenchException($"minting the introspection pool: HTTP {(int)response.StatusCode}: {Cut(text)}");
            using var doc = JsonDocument.Parse(text);
            pool[job.c][job.i] = doc.RootElement.GetProperty("access_token").GetString()!;
        });
        return pool;
    }

    /// <summary>Polls each client's token request until the server knows the client (the CLI writes to the store; the server syncs).</summary>
    public static async Task<TimeSpan> WaitClientsAcceptedAsync(HttpClient http, Uri tokenUri, IReadOnlyList<BenchClient> clients, TimeSpan timeout, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        var deadline = started + timeout;
        foreach (var c in clients)
        {
            var last = "";
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, tokenUri)
                {
                    Content = new ByteArrayContent("grant_type=client_credentials"u8.ToArray()),
                };
                request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
                request.Headers.TryAddWithoutValidation("Authorization", BasicHeader(c));
                using var response = await http.SendAsync(request, ct);
                if (response.StatusCode == HttpStatusCode.OK) break;
                last = $"HTTP {(int)response.StatusCode}: {Cut(await response.Content.ReadAsStringAsync(ct))}";
                if (DateTime.UtcNow > deadline)
                    throw new BenchException($"the server did not accept client {c.ClientId} within {timeout.TotalSeconds:0} s; last answer {last}");
                await Task.Delay(100, ct);
            }
        }
        return DateTime.UtcNow - started;
    }

    private static string Cut(string s)
    {
        s = s.ReplaceLineEndings(" ");
        return s.Length <= 400 ? s : s[..400] + "...";
    }
}
