/**
 * The static token file (APPSTORE_TOKENS_FILE) in kube-apiserver's
 * --token-auth-file style: one CSV record a line, `token,userId,"g1,g2"`.
 * kube-apiserver's own four-field form `token,user,uid,"g1,g2"` is accepted
 * too, so one file can serve both. Blank lines and lines starting with # are
 * skipped. Errors name the line, never the token. The file is re-read while
 * the store runs (watched-file.ts), so a removed token stops working.
 */
import { ConfigError } from '../config.js';

export interface StaticTokenEntry {
  readonly token: string;
  readonly userId: string;
  readonly groups: readonly string[];
}

export function parseStaticTokens(text: string, variable = 'APPSTORE_TOKENS_FILE'): StaticTokenEntry[] {
  const entries: StaticTokenEntry[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const fail = (why: string): never => {
      throw new ConfigError(`${variable} line ${index + 1}: ${why}`);
    };
    const fields = parseCsvRecord(line, fail);
    if (fields.length < 2 || fields.length > 4) fail(`expected token,userId,"group1,group2" but found ${fields.length} field(s)`);
    const [token = '', userId = ''] = fields;
    const groupField = fields.length === 4 ? fields[3] : fields[2];
    if (token === '') fail('the token is empty');
    if (userId.trim() === '') fail('the user id is empty');
    if (seen.has(token)) fail('this token appears on an earlier line too');
    seen.add(token);
    const groups = (groupField ?? '').split(',').map((g) => g.trim()).filter(Boolean);
    entries.push({ token, userId: userId.trim(), groups: [...new Set(groups)] });
  });
  return entries;
}

/** One RFC 4180 record: fields separated by commas, optionally "quoted" with "" for a quote. */
function parseCsvRecord(line: string, fail: (why: string) => never): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) fail('a quoted field is not closed');
        const ch = line[i];
        if (ch === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += ch;
        i++;
      }
      if (i < line.length && line[i] !== ',') fail('unexpected text after a quoted field');
    } else {
      const end = line.indexOf(',', i);
      field = end < 0 ? line.slice(i) : line.slice(i, end);
      if (field.includes('"')) fail('a quote inside an unquoted field');
      i = end < 0 ? line.length : end;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}
