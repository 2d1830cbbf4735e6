import { CORE_SCHEMA, Type, dump, load } from 'js-yaml';

/**
 * YAML as Helm 2 reads it. Helm and Tiller parse with go-yaml v2 (through
 * ghodss/yaml), which follows YAML 1.1 for booleans: `yes`, `no`, `on`,
 * `off`, `y`, `n` (any case variant it lists) are booleans there, while
 * js-yaml's default YAML 1.2 schema reads them as strings. A chart saying
 * `enabled: yes` must switch its subchart on here as it would with helm,
 * and strings such as "on" must be quoted when we write values back for
 * Tiller. Integers follow Go's rules too: a leading 0 means octal, so
 * `defaultMode: 0644` is 420 (js-yaml would read 644, and the mode would be
 * wrong once we write the values back). Timestamps stay strings (go-yaml
 * does the same when decoding into untyped maps); merge keys (`<<`) are
 * supported.
 */
const TRUE_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

const yaml11Bool = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && (TRUE_WORDS.has(data) || FALSE_WORDS.has(data)),
  construct: (data: string) => TRUE_WORDS.has(data),
  predicate: (data: object) => typeof data === 'boolean',
  represent: (data: object) => (data.valueOf() === true ? 'true' : 'false'),
});

/** go-yaml v2 drops `_` then parses with Go's base prefixes: 0x, 0o, 0b, and a bare 0 for octal. */
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|(0[0-7]*)|([1-9][0-9]*))$/;

function goInt(data: string): number | undefined {
  const m = GO_INT.exec(data.replaceAll('_', ''));
  if (m === null) return undefined;
  const [, sign, hex, octal, binary, leadingZero, decimal] = m;
  const magnitude =
    hex !== undefined
      ? parseInt(hex, 16)
      : octal !== undefined
        ? parseInt(octal, 8)
        : binary !== undefined
          ? parseInt(binary, 2)
          : leadingZero !== undefined
            ? parseInt(leadingZero, 8)
            : parseInt(decimal ?? '', 10);
  return sign === '-' ? -magnitude : magnitude;
}

const yaml11Int = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && goInt(data) !== undefined,
  construct: (data: string) => goInt(data),
  predicate: (data: object) => typeof data === 'number' && Number.isInteger(data) && !Object.is(data, -0),
  represent: (data: object) => String(data),
});

const mergeKey = new Type('tag:yaml.org,2002:merge', {
  kind: 'scalar',
  resolve: (data: unknown) => data === '<<' || data === null,
});

/** Same tags as the core boolean and integer types, so they replace them in place. */
const HELM_SCHEMA = CORE_SCHEMA.extend({ implicit: [yaml11Bool, yaml11Int, mergeKey] });

/**
 * Parses one YAML document. Duplicate keys are allowed (the last wins), as
 * with go-yaml v2. Throws js-yaml's YAMLException on malformed input.
 *
 * @param filename used in parse error messages
 */
export function parseYaml(text: string, filename?: string): unknown {
  return load(text, { schema: HELM_SCHEMA, json: true, ...(filename === undefined ? {} : { filename }) });
}

/**
 * Serialises values for Tiller: keys sorted (as Go's marshaller does), no
 * anchors, no line folding, and every string that go-yaml would read as
 * another type quoted.
 */
export function dumpYaml(value: unknown): string {
  return dump(value, { schema: HELM_SCHEMA, sortKeys: true, noRefs: true, lineWidth: -1 });
}
