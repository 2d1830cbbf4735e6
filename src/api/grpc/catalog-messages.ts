/** Catalog domain objects → appstore.v1 messages. */
import type {
  ChartMetadata as ChartMetadataMessage,
  Package as PackageMessage,
  PackageVersion as PackageVersionMessage,
  PackageVersionDetail as PackageVersionDetailMessage,
} from '../../../gen/appstore/v1/appstore.js';
import type { ChartMetadata, Package, PackageVersion, PackageVersionDetail } from '../../catalog/types.js';

export function toChartMetadataMessage(chart: ChartMetadata): ChartMetadataMessage {
  return {
    apiVersion: chart.apiVersion,
    name: chart.name,
    version: chart.version,
    appVersion: chart.appVersion,
    description: chart.description,
    keywords: [...chart.keywords],
    home: chart.home,
    sources: [...chart.sources],
    maintainers: chart.maintainers.map((m) => ({ name: m.name, email: m.email, url: m.url })),
    icon: chart.icon,
    deprecated: chart.deprecated,
  };
}

export function toPackageVersionMessage(v: PackageVersion): PackageVersionMessage {
  return {
    version: v.version,
    appVersion: v.appVersion,
    created: v.created,
    digest: v.digest,
    prerelease: v.prerelease,
    development: v.development,
  };
}

export function toPackageMessage(p: Package): PackageMessage {
  return {
    id: p.id,
    repo: p.repo,
    chart: toChartMetadataMessage(p.chart),
    versions: p.versions.map(toPackageVersionMessage),
  };
}

export function toPackageVersionDetailMessage(d: PackageVersionDetail): PackageVersionDetailMessage {
  return {
    id: d.id,
    version: toPackageVersionMessage(d.version),
    chart: toChartMetadataMessage(d.chart),
    readme: d.readme,
    valuesYaml: d.valuesYaml,
    valuesSchema: d.valuesSchema ? { ...d.valuesSchema } : undefined,
    formSchema: d.formSchema ? { ...d.formSchema } : undefined,
    softwareVersions: { ...d.softwareVersions },
    client: d.client && { sections: [...d.client.sections], scopes: [...d.client.scopes], redirectUris: [...d.client.redirectUris], provisioned: false, detail: '' },
    standards: d.standards.map((s) => ({ ...s })),
  };
}
