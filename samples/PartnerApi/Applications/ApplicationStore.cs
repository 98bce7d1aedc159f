using System.Collections.Concurrent;

namespace PartnerApi.Applications;

/// In memory: the sample keeps nothing across restarts.
internal sealed class ApplicationStore(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Application> _applications = new();

    public Application Add(NewApplication request, string partnerClientId)
    {
        var application = new Application("app_" + Guid.NewGuid().ToString("N")[..16], request.CompanyNumber, request.AmountMinor,
            "draft", partnerClientId, time.GetUtcNow());
        _applications[application.Id] = application;
        return application;
    }

    public Application? Find(string id) => _applications.GetValueOrDefault(id);
}

internal sealed record NewApplication(string CompanyNumber, long AmountMinor);

internal sealed record Application(string Id, string CompanyNumber, long AmountMinor, string Status, string PartnerClientId, DateTimeOffset CreatedAt);
