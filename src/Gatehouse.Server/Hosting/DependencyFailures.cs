using System.Data.Common;
using System.Net.Sockets;
using Gatehouse.Server.OAuth;

namespace Gatehouse.Server.Hosting;

/// SPEC 4: "Auth server dependencies down: 503 temporarily_unavailable with Retry-After". A request that
/// fails because the database or Redis is unreachable gets exactly that, never a 500 or a hang.
internal static partial class DependencyFailures
{
    public static IApplicationBuilder UseDependencyFailureResponses(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (IsDependencyFailure(e) && !context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
            {
                var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(nameof(DependencyFailures));
                LogDependencyFailure(logger, context.Request.Path, e.GetType().Name, e.Message);
                context.Response.Clear();
                ResponseHeaders.SetNosniff(context.Response);
                await OAuthResults.Error(OAuthError.TemporarilyUnavailable(retryAfterSeconds: 2)).ExecuteAsync(context);
            }
        });

    public static bool IsDependencyFailure(Exception e) => e switch
    {
        DbException or TimeoutException or SocketException or StackExchange.Redis.RedisException => true,
        OperationCanceledException => false,
        _ when e.InnerException is { } inner => IsDependencyFailure(inner),
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path}: a dependency is unavailable ({Error}: {Message}); answered 503.")]
    private static partial void LogDependencyFailure(ILogger logger, string path, string error, string message);
}
