using System.Diagnostics.Metrics;

namespace Gatehouse.Server.Observability;

/// The server's own counters, exported with ASP.NET Core's at /metrics (Prometheus text format).
internal sealed class GatehouseMetrics
{
    public const string MeterName = "Gatehouse.Server";

    private readonly Counter<long> _tokensIssued;
    private readonly Counter<long> _tokenErrors;
    private readonly Counter<long> _introspections;
    private readonly Counter<long> _revocations;

    public GatehouseMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _tokensIssued = meter.CreateCounter<long>("gatehouse.tokens.issued", description: "Access tokens issued.");
        _tokenErrors = meter.CreateCounter<long>("gatehouse.token.errors", description: "Token requests refused, by OAuth error code.");
        _introspections = meter.CreateCounter<long>("gatehouse.introspections", description: "Introspection answers, by active.");
        _revocations = meter.CreateCounter<long>("gatehouse.revocations", description: "Access tokens revoked.");
    }

    public void TokenIssued(string grantType) => _tokensIssued.Add(1, new KeyValuePair<string, object?>("grant_type", grantType));

    public void TokenRefused(string error) => _tokenErrors.Add(1, new KeyValuePair<string, object?>("error", error));

    public void Introspected(bool active) => _introspections.Add(1, new KeyValuePair<string, object?>("active", active));

    public void Revoked() => _revocations.Add(1);
}
