/**
 * A Helm chart as an OCI artifact (Helm's registry format): an image manifest
 * whose config is Chart.yaml as JSON (`application/vnd.cncf.helm.config.v1+json`)
 * and whose one chart layer is the chart archive
 * (`application/vnd.cncf.helm.chart.content.v1.tar+gzip`), beside an optional
 * provenance layer. Anything else in a chart's repository (a container image
 * pushed under the same name, an index of platforms) is not a chart version.
 */
import { chartFields } from '../chart-fields.js';
import type { ChartMetadata } from '../types.js';
import { OCI_MANIFEST } from './oci-client.js';

export const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';
export const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
/** Helm 3.0–3.6 pushed the chart layer under this older media type; Helm still reads it. */
const LEGACY_CHART_LAYER = 'application/tar+gzip';

export interface ChartManifest {
  readonly configDigest: string;
  readonly configSize: number;
  /** `sha256:<hex>` of the chart archive. */
  readonly layerDigest: string;
  readonly layerSize: number;
  /** `org.opencontainers.image.created`, '' when absent. */
  readonly created: string;
}

const SHA256 = /^sha256:[a-f0-9]{64}$/;

/** The chart's parts, or why the manifest is not a chart (a string). */
export function parseChartManifest(bytes: Buffer): ChartManifest | string {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'its manifest is not JSON';
  }
  if (!isRecord(doc)) return 'its manifest is not a JSON object';
  if (doc.schemaVersion !== 2) return 'its manifest is not schemaVersion 2';
  if (doc.mediaType !== undefined && doc.mediaType !== OCI_MANIFEST) return `its manifest is a ${String(doc.mediaType)}`;
  const config = descriptor(doc.config);
  if (config === undefined) return 'its manifest has no valid config descriptor';
  if (config.mediaType !== HELM_CONFIG) return `its config is a ${config.mediaType}, not a Helm chart config`;
  const layers = Array.isArray(doc.layers) ? doc.layers.map(descriptor) : [];
  const charts = layers.filter((l) => l !== undefined && (l.mediaType === HELM_CHART_LAYER || l.mediaType === LEGACY_CHART_LAYER));
  const chart = charts[0];
  if (chart === undefined || charts.length > 1) return 'its manifest does not have exactly one chart layer';
  const annotations = isRecord(doc.annotations) ? doc.annotations : {};
  const created = annotations['org.opencontainers.image.created'];
  return {
    configDigest: config.digest,
    configSize: config.size,
    layerDigest: chart.digest,
    layerSize: chart.size,
    created: typeof created === 'string' ? created : '',
  };
}

/** Chart.yaml from the config blob, or why it cannot describe `chart` `version` (a string). */
export function parseChartConfig(bytes: Buffer, chart: string, version: string): ChartMetadata | string {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'its config is not JSON';
  }
  if (!isRecord(doc)) return 'its config is not a JSON object';
  if (doc.name !== chart) return `its config names the chart ${JSON.stringify(doc.name)}`;
  if (doc.version !== version) return `its config gives the version ${JSON.stringify(doc.version)}`;
  return chartFields(doc, chart, version);
}

function descriptor(value: unknown): { mediaType: string; digest: string; size: number } | undefined {
  if (!isRecord(value)) return undefined;
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || typeof digest !== 'string' || !SHA256.test(digest)) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
  return { mediaType, digest, size };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
