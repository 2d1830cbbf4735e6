/**
 * The App Store standards a chart may say it follows (resources.yaml
 * `appstore.Options.Standards`): conventions of its values that the install
 * form relies on. They are shown in the package detail; an unknown one is
 * shown as unknown and does not block an install.
 */
export const KNOWN_STANDARDS: Readonly<Record<string, string>> = {
  defaultMount:
    'The chart mounts the volumes its persistentStorage value lists (existingClaim, existingClaimName, subPath, readOnly), as the install form fills it in.',
};

export interface ChartStandard {
  readonly name: string;
  readonly known: boolean;
  readonly description: string;
}

export function describeStandards(names: readonly string[]): ChartStandard[] {
  return names.map((name) => {
    const description = Object.hasOwn(KNOWN_STANDARDS, name) ? KNOWN_STANDARDS[name] : undefined;
    return description === undefined ? { name, known: false, description: 'not a standard this store knows' } : { name, known: true, description };
  });
}
