/**
 * The objects a rendered release will create, read the way the Kubernetes
 * side reads them, for the tenancy check. It fails closed: a document that
 * cannot be read, or an object whose identity is not plain strings, is
 * reported as unreadable rather than skipped, because whatever the check
 * cannot see must not reach the API server.
 *
 * Tiller hands a manifest to kubectl's resource builder, which splits it at
 * lines that are exactly `---` and expands List objects (`items`). The
 * manifest is split the same way here and each part is then read as a YAML
 * stream, so an object is seen whichever of the two splits would find it.
 */
import yaml from 'js-yaml';

export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** As written: empty means the release's namespace. */
  readonly namespace: string;
  /** Where it came from: `manifest` or `hook <name>`, and the template's `# Source:` when present. */
  readonly source: string;
  /** The object itself (the pod template of workloads is read from it). */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface Unreadable {
  readonly source: string;
  readonly reason: string;
}

export interface RenderedRelease {
  readonly manifest: string;
  readonly hooks: ReadonlyArray<{ readonly name: string; readonly manifest: string }>;
}

/** Lists nest at most this deep (a List of Lists is legal, a deeper one is hostile). */
const MAX_LIST_DEPTH = 4;

export function renderedObjects(release: RenderedRelease): { objects: RenderedObject[]; unreadable: Unreadable[] } {
  const objects: RenderedObject[] = [];
  const unreadable: Unreadable[] = [];
  const read = (text: string, origin: string) => {
    for (const part of text.split(/^---[^\S\n]*$/m)) {
      const source = sourceOf(part, origin);
      let docs: unknown[];
      try {
        // json: a repeated key keeps its last value, as Go's YAML reader does, instead of failing.
        docs = yaml.loadAll(part, undefined, { json: true });
      } catch (err) {
        unreadable.push({ source, reason: `not readable YAML: ${(err as Error).message.split('\n')[0]}` });
        continue;
      }
      for (const doc of docs) collect(doc, source, 0, objects, unreadable);
    }
  };
  read(release.manifest, 'manifest');
  for (const hook of release.hooks) read(hook.manifest, `hook ${hook.name}`);
  return { objects, unreadable };
}

function collect(doc: unknown, source: string, depth: number, objects: RenderedObject[], unreadable: Unreadable[]): void {
  if (doc === null || doc === undefined) return;
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    unreadable.push({ source, reason: 'a document that is not a Kubernetes object' });
    return;
  }
  const obj = doc as Record<string, unknown>;
  if (Array.isArray(obj.items)) {
    if (depth >= MAX_LIST_DEPTH) {
      unreadable.push({ source, reason: `Lists nested deeper than ${MAX_LIST_DEPTH}` });
      return;
    }
    for (const item of obj.items) collect(item, source, depth + 1, objects, unreadable);
    return;
  }
  const metadata = obj.metadata;
  const meta = typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) ? (metadata as Record<string, unknown>) : {};
  const { apiVersion, kind } = obj;
  const name = meta.name ?? meta.generateName ?? '';
  const namespace = meta.namespace ?? '';
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
    unreadable.push({ source, reason: 'an object without apiVersion and kind' });
    return;
  }
  if (typeof name !== 'string' || typeof namespace !== 'string') {
    unreadable.push({ source, reason: `${kind}: metadata.name and metadata.namespace must be strings` });
    return;
  }
  objects.push({ apiVersion, kind, name, namespace, source, body: obj });
}

/** `hook x (templates/job.yaml)`: Tiller writes `# Source: <path>` at the head of each rendered template. */
function sourceOf(part: string, origin: string): string {
  const match = /^# Source: (.+)$/m.exec(part);
  return match?.[1] ? `${origin} (${match[1].trim()})` : origin;
}
