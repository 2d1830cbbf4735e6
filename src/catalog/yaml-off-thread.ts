/**
 * YAML parsing on a worker thread, for large index.yaml files: js-yaml takes
 * ~0.75 s for a 13 MiB index, and on the main thread that would stall every
 * request the store serves meanwhile (REST, gRPC, status). The parsed
 * document comes back by structured clone, which the main thread receives in
 * a fraction of that time. The worker is made for one parse and then exits,
 * so the parser's garbage goes with its heap, and its heap is bounded, so
 * that a hostile index fails its refresh instead of exhausting the process.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** Texts shorter than this are parsed on the calling thread: starting a worker would cost more than it saves. */
export const OFF_THREAD_MIN_CHARS = 512 * 1024;
/** The worker's old-generation heap, in MiB: ~10× the text of the largest index this is meant for. */
const WORKER_HEAP_MB = 384;

/** Plain CommonJS so that the worker needs no loader; js-yaml comes by the absolute path resolved below. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const yaml = require(workerData.jsYaml);
let answer;
try {
  answer = { doc: yaml.load(workerData.text, { schema: yaml.CORE_SCHEMA, json: true, filename: 'index.yaml' }) };
} catch (err) {
  answer = { error: err instanceof Error ? err.message : String(err), name: err instanceof Error ? err.name : 'Error' };
}
parentPort.postMessage(answer);
`;

let jsYamlPath: string | null | undefined;

/**
 * Where js-yaml is, resolved from the program being run (dist/src/main.js in
 * production, the test runner or tsx in development: all inside the project),
 * or null when it cannot be found from there.
 */
function resolveJsYaml(): string | null {
  if (jsYamlPath === undefined) {
    jsYamlPath = null;
    for (const from of [process.argv[1], join(process.cwd(), 'index.js')]) {
      if (!from) continue;
      try {
        jsYamlPath = createRequire(from).resolve('js-yaml');
        break;
      } catch {
        // Try the next place.
      }
    }
  }
  return jsYamlPath;
}

/** Whether {@link parseYamlOffThread} can run here; when not, callers parse on their own thread. */
export function offThreadAvailable(): boolean {
  return resolveJsYaml() !== null;
}

/**
 * js-yaml's `load` with the core schema, on a worker thread.
 *
 * @throws Error named YAMLException with js-yaml's message for a document that is not valid YAML; otherwise the
 *   worker's failure (ERR_WORKER_OUT_OF_MEMORY beyond its heap, the signal's reason when aborted)
 */
export function parseYamlOffThread(text: string, signal?: AbortSignal): Promise<unknown> {
  const jsYaml = resolveJsYaml();
  if (jsYaml === null) return Promise.reject(new Error('js-yaml cannot be resolved for a worker thread'));
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { text, jsYaml },
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      fn();
    };
    const abort = () => settle(() => {
      void worker.terminate();
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    });
    if (signal?.aborted) {
      abort();
      return;
    }
    signal?.addEventListener('abort', abort, { once: true });
    worker.once('message', (answer: { doc?: unknown; error?: string; name?: string }) =>
      settle(() => {
        if (answer.error === undefined) resolve(answer.doc);
        else reject(Object.assign(new Error(answer.error), { name: answer.name ?? 'Error' }));
      }),
    );
    worker.once('error', (err) => settle(() => reject(err)));
    worker.once('exit', (code) => settle(() => reject(new Error(`the YAML worker exited (${code}) without an answer`))));
  });
}
