namespace PartnerApi.Decisions;

/// GET /partner/v1/decisions/{id}: the Decisioning ring, scope decisions:read.
internal static class DecisionEndpoints
{
    public static void Map(IEndpointRouteBuilder partner) =>
        partner.MapGet("/decisions/{id}", Get).RequireScope("decisions:read");

    private static IResult Get(string id)
    {
        // A fixed answer: the sample shows the protection, not a decision engine.
        if (!id.StartsWith("dec_", StringComparison.Ordinal))
            return Results.NotFound(new Problem("not_found", $"No decision '{id}'."));
        return Results.Ok(new Decision(id, "approved", new Terms(25_000_00, "GBP", 12, 0.089m), ["RC01_TRADING_HISTORY", "RC07_AFFORDABILITY"]));
    }
}

internal sealed record Decision(string Id, string Outcome, Terms Terms, string[] ReasonCodes);

internal sealed record Terms(long AmountMinor, string Currency, int TermMonths, decimal AnnualRate);
