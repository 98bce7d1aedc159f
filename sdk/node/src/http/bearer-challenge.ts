/**
 * True when a response is `401` with a Bearer challenge whose `error` is `invalid_token` (RFC 6750 §3):
 * `WWW-Authenticate: Bearer realm="api", error="invalid_token", error_description="…"`.
 */
export function isInvalidTokenChallenge(response: Response): boolean {
  if (response.status !== 401) return false;
  const header = response.headers.get("www-authenticate");
  if (!header) return false;
  return challenges(header).some((c) => c.scheme.toLowerCase() === "bearer" && c.params.get("error") === "invalid_token");
}

interface Challenge {
  scheme: string;
  params: Map<string, string>;
}

/**
 * RFC 9110 §11.6.1: one header may hold several challenges, each a scheme followed by comma-separated
 * auth-params whose values may be quoted strings (which can hold commas and escaped quotes).
 */
export function challenges(header: string): Challenge[] {
  const result: Challenge[] = [];
  let i = 0;
  const skip = (pattern: RegExp) => {
    while (i < header.length && pattern.test(header[i]!)) i++;
  };
  const token = () => {
    const start = i;
    while (i < header.length && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  while (i < header.length) {
    skip(/[\s,]/);
    const scheme = token();
    if (!scheme) {
      i++;
      continue;
    }
    const challenge: Challenge = { scheme, params: new Map() };
    result.push(challenge);
    for (;;) {
      skip(/[\s,]/);
      const mark = i;
      const name = token();
      skip(/\s/);
      if (!name || header[i] !== "=") {
        i = mark; // not a parameter: the next challenge's scheme (or a token68, which Bearer never uses)
        break;
      }
      i++; // '='
      skip(/\s/);
      challenge.params.set(name.toLowerCase(), header[i] === '"' ? quoted() : token());
    }
  }
  return result;

  function quoted(): string {
    let value = "";
    i++; // opening quote
    while (i < header.length && header[i] !== '"') {
      if (header[i] === "\\" && i + 1 < header.length) i++;
      value += header[i];
      i++;
    }
    i++; // closing quote
    return value;
  }
}
