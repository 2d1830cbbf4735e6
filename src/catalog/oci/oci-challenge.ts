/**
 * A registry's `WWW-Authenticate` challenge (RFC 7235 syntax), as OCI
 * registries send it on a 401: `Bearer realm="…",service="…",scope="…"`
 * (the token flow of the distribution spec) or `Basic realm="…"`.
 */
export type Challenge =
  | { readonly scheme: 'bearer'; readonly realm: string; readonly service?: string; readonly scope?: string }
  | { readonly scheme: 'basic' };

/**
 * The first challenge the store can answer, or undefined when the header has
 * none (a Bearer challenge without a realm cannot be answered).
 */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (header === null) return undefined;
  // Challenges and their parameters are both comma-separated: a new challenge starts with a bare token.
  const re = /\s*([A-Za-z][\w!#$%&'*+.^`|~-]*)(?:\s+|(?=,|$))|\s*([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)\s*,?/gy;
  const challenges: Array<{ scheme: string; params: Record<string, string> }> = [];
  let match: RegExpExecArray | null;
  while (re.lastIndex < header.length && (match = re.exec(header)) !== null) {
    if (match[1] !== undefined) {
      challenges.push({ scheme: match[1].toLowerCase(), params: {} });
    } else if (match[2] !== undefined) {
      const raw = match[3] ?? '';
      const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
      const current = challenges.at(-1);
      if (current) current.params[match[2].toLowerCase()] = value;
    }
    if (re.lastIndex < header.length && header[re.lastIndex] === ',') re.lastIndex += 1;
  }
  for (const { scheme, params } of challenges) {
    if (scheme === 'bearer' && params.realm) {
      return {
        scheme,
        realm: params.realm,
        ...(params.service !== undefined && { service: params.service }),
        ...(params.scope !== undefined && { scope: params.scope }),
      };
    }
    if (scheme === 'basic') return { scheme };
  }
  return undefined;
}
