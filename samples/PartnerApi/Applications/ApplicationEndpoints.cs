using System.Security.Claims;

namespace PartnerApi.Applications;

/// POST and GET /partner/v1/applications: the Apply ring, scopes applications:write and applications:read.
internal static class ApplicationEndpoints
{
    public static void Map(IEndpointRouteBuilder partner)
    {
        partner.MapPost("/applications", Create).RequireScope("applications:write");
        partner.MapGet("/applications/{id}", Get).RequireScope("applications:read");
    }

    private static IResult Create(NewApplication body, ClaimsPrincipal caller, ApplicationStore store)
    {
        if (string.IsNullOrWhiteSpace(body.CompanyNumber) || body.AmountMinor <= 0)
            return Results.BadRequest(new Problem("invalid_request", "company_number and a positive amount_minor are required."));
        // The calling partner is the token's client_id: who may see the application later.
        var application = store.Add(body, caller.FindFirstValue("client_id") ?? "unknown");
        return Results.Created($"/partner/v1/applications/{application.Id}", application);
    }

    private static IResult Get(string id, ClaimsPrincipal caller, ApplicationStore store) =>
        store.Find(id) is { } application && application.PartnerClientId == caller.FindFirstValue("client_id")
            ? Results.Ok(application)
            : Results.NotFound(new Problem("not_found", $"No application '{id}'."));
}
