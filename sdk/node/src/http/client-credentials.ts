/**
 * client_secret_basic: RFC 6749 §2.3.1 form-url-encodes (application/x-www-form-urlencoded, Appendix B)
 * id and secret before base64, so a secret with ':' or non-ASCII characters survives the trip.
 */
export function basicCredentials(clientId: string, clientSecret: string): string {
  return "Basic " + Buffer.from(`${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`, "utf8").toString("base64");
}

/** The WHATWG urlencoded serializer: everything but ALPHA / DIGIT / "*-._" is percent-encoded, space as '+'. */
export function formUrlEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()~]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, "+");
}
