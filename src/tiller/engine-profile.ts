/**
 * Which engine answers on Tiller's protocol, learnt from its GetVersion:
 * Tiller v2 (v2.x), or a Helm 3/4 engine (v3.x and later, e.g. the store's
 * own engine/, "v4.3.2+appstore-engine"). The store adapts to it: the
 * charts it may send (apiVersion v2 needs a Helm engine), where the tenancy
 * check runs (the engine checks between render and apply; on Tiller the
 * store checks a dry run first), where reads come from (Tiller's storage
 * Secrets, or the engine's gRPC reads) and whether changes are paced
 * against Tiller's storage rate limiter.
 */
import semver from 'semver';
import { AppStoreError } from '../domain/errors.js';

export type EngineKind = 'tiller' | 'helm';

export interface EngineProfile {
  readonly kind: EngineKind;
  /** As GetVersion said it. */
  readonly version: string;
}

/** The profile of a GetVersion answer; an answer that is no version at all is Unavailable (nothing can be decided on it). */
export function profileOf(version: string): EngineProfile {
  const parsed = semver.coerce(version);
  if (!parsed) throw new AppStoreError('Unavailable', `the release engine answered GetVersion with '${version}', which is no version`);
  return { kind: parsed.major >= 3 ? 'helm' : 'tiller', version };
}

/** What the engine of a profile is called in messages. */
export function engineName(profile: EngineProfile): string {
  return profile.kind === 'tiller' ? `Tiller ${profile.version}` : `the Helm engine ${profile.version}`;
}

/**
 * Asks once and remembers; concurrent callers share the question, and a
 * failed question is asked again next time (the engine may not be up yet).
 */
export class EngineDetector {
  private known: EngineProfile | undefined;
  private pending: Promise<EngineProfile> | undefined;
  private readonly listeners: Array<(profile: EngineProfile) => void> = [];

  constructor(private readonly askVersion: () => Promise<string>) {}

  /** The profile, if it is known already. */
  current(): EngineProfile | undefined {
    return this.known;
  }

  async profile(): Promise<EngineProfile> {
    if (this.known) return this.known;
    this.pending ??= this.askVersion()
      .then((version) => this.learn(profileOf(version)))
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Told once, when the profile is first known (or at once if it is). */
  onKnown(listener: (profile: EngineProfile) => void): void {
    if (this.known) listener(this.known);
    else this.listeners.push(listener);
  }

  private learn(profile: EngineProfile): EngineProfile {
    if (!this.known) {
      this.known = profile;
      for (const listener of this.listeners.splice(0)) listener(profile);
    }
    return this.known;
  }
}
