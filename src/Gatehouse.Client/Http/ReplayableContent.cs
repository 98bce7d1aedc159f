using System.Net.Http.Json;

namespace Gatehouse.Client.Http;

/// Whether a request body can be sent a second time: in-memory bodies re-serialize, streams are read once.
internal static class ReplayableContent
{
    public static bool Is(HttpContent? content) => content switch
    {
        null => true,
        ByteArrayContent => true, // StringContent and FormUrlEncodedContent too
        ReadOnlyMemoryContent => true,
        JsonContent => true,      // serializes its value again on each send
        MultipartContent multipart => multipart.All(Is),
        _ => false,
    };
}
