/** One challenge of a `WWW-Authenticate` header. */
export interface AuthChallenge {
  /** The scheme, lower-cased (`bearer`, `basic`). */
  readonly scheme: string;
  /** Auth parameters by lower-cased name (`realm`, `service`, `scope`, `error`). */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parse a `WWW-Authenticate` header value (RFC 9110 §11.6.1): one or more challenges, each a
 * scheme followed by comma-separated `name=value` or `name="quoted value"` parameters.
 *
 * Hand-written on purpose: registries send exactly this small grammar, undici does not expose
 * a parser, and the npm parsers are unmaintained or tied to Express.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const n = header.length;
  const skipSpaces = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const token = () => {
    const start = i;
    while (i < n && /[!#$%&'*+.^_`|~0-9A-Za-z-]/.test(header[i] as string)) i++;
    return header.slice(start, i);
  };
  let current: { scheme: string; params: Record<string, string> } | undefined;
  while (i < n) {
    skipSpaces();
    if (header[i] === ',') {
      i++;
      continue;
    }
    const name = token();
    if (!name) {
      // Unparseable character: skip it rather than loop forever.
      i++;
      continue;
    }
    skipSpaces();
    if (header[i] === '=' && current) {
      i++;
      skipSpaces();
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++;
          value += header[i];
          i++;
        }
        i++; // closing quote
      } else {
        value = token();
      }
      current.params[name.toLowerCase()] = value;
      continue;
    }
    if (header[i] === '=' && !current) {
      // A parameter before any scheme: not a valid header.
      return [];
    }
    // A new challenge (the scheme); a token68 credential after it is ignored.
    current = { scheme: name.toLowerCase(), params: {} };
    challenges.push(current);
  }
  return challenges;
}
