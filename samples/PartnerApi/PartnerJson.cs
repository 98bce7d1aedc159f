using System.Text.Json.Serialization;
using PartnerApi.Applications;
using PartnerApi.Decisions;

namespace PartnerApi;

/// snake_case on the wire, as the rest of the partner API.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Decision))]
[JsonSerializable(typeof(Application))]
[JsonSerializable(typeof(NewApplication))]
[JsonSerializable(typeof(Problem))]
internal sealed partial class PartnerJson : JsonSerializerContext;

internal sealed record Problem(string Error, string ErrorDescription);
