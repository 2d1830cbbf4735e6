/**
 * The dry runs of an upgrade and a rollback (see change-preview.ts): what the change would make beside the current
 * revision, with nothing changed, no lock taken and no OAuth client made or updated. They reuse the release use cases'
 * own steps (release-service.ts), so that a preview merges values, resolves the chart and checks tenancy exactly as
 * the change itself would.
 */
import type { Release as TillerRelease } from '../../gen/hapi/release/release.js';
import type { Principal } from '../domain/principal.js';
import type { EngineProfile } from '../tiller/engine-profile.js';
import { auditedDryRun } from './audited-change.js';
import { generatedValues, revisionContent, type ChangePreview } from './change-preview.js';
import { changeFailure } from './engine-failures.js';
import type { UpgradeInput } from './release-inputs.js';
import type { ResolvedChart } from './resolve-chart.js';
import type { Audit, ReleaseEngine, ReleaseRecord } from './types.js';
import { mergeOver, valuesToYaml, type Values } from './values.js';

/** The release use cases' steps a preview shares with the change it previews. */
export interface PreviewSteps {
  checkUpgrade(input: UpgradeInput): void;
  visible(principal: Principal, id: string): Promise<ReleaseRecord>;
  upgradeTarget(current: ReleaseRecord, input: UpgradeInput): Promise<{ values: Values; engine: EngineProfile; resolved: ResolvedChart }>;
  rollbackTarget(id: string, revision: number): Promise<TillerRelease>;
  /** `atLeast`: the revision the record says exists (ReleaseRecord.revision). */
  latest(id: string, atLeast?: number): Promise<TillerRelease>;
  confine(release: TillerRelease, namespace: string, application: string): Promise<void>;
  allowsClusterScoped(application: string): boolean;
}

export class ReleasePreviews {
  constructor(
    private readonly deps: { readonly audit: Audit; readonly engine: ReleaseEngine },
    private readonly steps: PreviewSteps,
  ) {}

  /**
   * The upgrade rendered by the engine's dry run. The values merge as the upgrade merges them; a release's OAuth
   * client is neither made nor changed (its generated values are the current revision's).
   */
  upgrade(principal: Principal, id: string, input: UpgradeInput): Promise<ChangePreview> {
    return auditedDryRun(this.deps, { principal, action: 'upgrade', releaseId: id }, async () => {
      this.steps.checkUpgrade(input);
      const current = await this.steps.visible(principal, id);
      const { values, engine, resolved } = await this.steps.upgradeTarget(current, input);
      const latest = await this.steps.latest(id, current.revision);
      const generated = generatedValues(latest);
      const rendered = await this.deps.engine
        .upgrade({
          chart: resolved.chart,
          name: id,
          valuesYaml: generated ? valuesToYaml(mergeOver(values, generated)) : resolved.valuesYaml,
          resetValues: true,
          dryRun: true,
          allowClusterScoped: this.steps.allowsClusterScoped(current.application),
        })
        .catch((err: unknown) => {
          throw changeFailure(err, resolved.chart.metadata?.name ?? '');
        });
      // A Helm engine has checked the objects itself; Tiller has not.
      if (engine.kind === 'tiller') await this.steps.confine(rendered, current.namespace, current.application);
      return { current: revisionContent(latest), proposed: revisionContent(rendered, values) };
    });
  }

  /**
   * The target revision's manifest, notes and values, as the next revision. The target is checked by the store on
   * either engine: a Helm engine checks it before a real rollback, but Helm's Rollback action has no dry run to ask.
   */
  rollback(principal: Principal, id: string, revision: number): Promise<ChangePreview> {
    return auditedDryRun(this.deps, { principal, action: 'rollback', releaseId: id }, async () => {
      const current = await this.steps.visible(principal, id);
      const target = await this.steps.rollbackTarget(id, revision);
      await this.steps.confine(target, current.namespace, current.application);
      const latest = await this.steps.latest(id, current.revision);
      return { current: revisionContent(latest), proposed: { ...revisionContent(target), revision: latest.version + 1 } };
    });
  }
}
