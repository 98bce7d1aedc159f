namespace Gatehouse.Server.OAuth;

/// What each scope lets a client do, in the words of seed 002's scope catalogue, for the consent page.
internal static class ScopeCatalogue
{
    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        [Scopes.OpenId] = "Confirm who you are (your account identifier)",
        [Scopes.Profile] = "Your name",
        [Scopes.Email] = "Your email address",
        [Scopes.Companies] = "The companies you act for, and your role in each",
        [Scopes.OfflineAccess] = "Stay connected when you are not using it",
        ["applications:write"] = "Create and update business-loan applications, and submit them for decision",
        ["applications:read"] = "Read applications, their status and the hosted hand-off URL",
        ["decisions:read"] = "Read decision outcomes, offered terms and the reason codes",
        ["payments:write"] = "Create payment links, collection schedules and disbursement instructions",
        ["payments:read"] = "Read payment, mandate and reconciliation state",
        ["identity:read"] = "Read verification results and director claims",
        ["accounts:read"] = "Read funded loan accounts, balances and servicing events",
        ["accounts:write"] = "Raise settlement quotes and servicing requests on a funded account",
        ["webhooks:manage"] = "Register, rotate and delete webhook endpoints and their signing secrets",
        ["partner:manage"] = "Manage introductions, payouts, sub-accounts and white-label settings",
    };

    public static string Describe(string scope) => Descriptions.TryGetValue(scope, out var text) ? text : $"Use the '{scope}' permission";
}
