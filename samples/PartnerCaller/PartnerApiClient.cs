using System.Net.Http.Json;

namespace PartnerCaller;

/// A typed client for two partner/v1 calls; the Authorization header is added by GatehouseTokenHandler.
internal sealed class PartnerApiClient(HttpClient http)
{
    public async Task<string> GetDecisionAsync(string id)
    {
        using var response = await http.GetAsync($"/partner/v1/decisions/{Uri.EscapeDataString(id)}");
        return await ReadAsync(response);
    }

    public async Task<string> CreateApplicationAsync(string companyNumber, long amountMinor)
    {
        using var response = await http.PostAsJsonAsync("/partner/v1/applications",
            new Dictionary<string, object> { ["company_number"] = companyNumber, ["amount_minor"] = amountMinor });
        return await ReadAsync(response);
    }

    private static async Task<string> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} {response.Headers.WwwAuthenticate} {body}", null, response.StatusCode);
        return $"{(int)response.StatusCode} {body}";
    }
}
