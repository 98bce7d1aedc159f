using System.Text.Json.Serialization;
using Gatehouse.Server.Endpoints.Introspection;
using Gatehouse.Server.Endpoints.Token;

namespace Gatehouse.Server.OAuth;

/// Source-generated JSON for every body the protocol endpoints write: no reflection on the hot path.
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(IntrospectionResponse))]
internal sealed partial class OAuthJson : JsonSerializerContext
{
    /// Relaxed escaping: descriptions read "you're", not "you\u0027re". Bodies are JSON, never HTML.
    public static OAuthJson Web { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
