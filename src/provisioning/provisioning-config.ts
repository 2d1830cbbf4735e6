/**
 * The provisioning room's environment variables → a validated config, and
 * the Provisioner it names. Fails at start, naming the variable. Token files
 * are read at each use, so that they can be rotated without a restart.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config.js';
import { httpUrl, integer, optional, type Env } from '../env-readers.js';
import { ClientadmProvisioner } from './clientadm-provisioner.js';
import { RegistrationProvisioner } from './registration-provisioner.js';
import type { Provisioner } from './types.js';

export type ProvisioningConfig =
  | { readonly kind: 'none' }
  | { readonly kind: 'dataporten'; readonly clientadmUrl: string; readonly issuer: string; readonly tokenFile?: string; readonly timeoutMs: number }
  | {
      readonly kind: 'oidc-registration';
      readonly registrationUrl?: string;
      readonly issuer?: string;
      readonly initialAccessTokenFile?: string;
      readonly timeoutMs: number;
    };

export function loadProvisioningConfig(env: Env = process.env): ProvisioningConfig {
  const kind = optional(env, 'APPSTORE_PROVISIONER') ?? 'none';
  const timeoutMs = integer(env, 'APPSTORE_PROVISIONER_TIMEOUT_MS', 10_000, 1, Number.MAX_SAFE_INTEGER);
  if (kind === 'none') return { kind };
  if (kind === 'dataporten') {
    const tokenFile = optional(env, 'APPSTORE_CLIENTADM_TOKEN_FILE');
    return {
      kind,
      clientadmUrl: httpUrl(env, 'APPSTORE_CLIENTADM_URL', 'https://clientadmin.dataporten-api.no'),
      issuer: httpUrl(env, 'APPSTORE_DATAPORTEN_ISSUER', 'https://auth.dataporten.no'),
      ...(tokenFile !== undefined && { tokenFile }),
      timeoutMs,
    };
  }
  if (kind === 'oidc-registration') {
    const registrationUrl = optional(env, 'APPSTORE_OIDC_REGISTRATION_URL');
    const issuer = optional(env, 'APPSTORE_OIDC_ISSUER');
    if (registrationUrl === undefined && issuer === undefined) {
      throw new ConfigError('APPSTORE_PROVISIONER=oidc-registration needs APPSTORE_OIDC_REGISTRATION_URL or APPSTORE_OIDC_ISSUER (discovery)');
    }
    const initialAccessTokenFile = optional(env, 'APPSTORE_OIDC_REGISTRATION_TOKEN_FILE');
    return {
      kind,
      ...(registrationUrl !== undefined && { registrationUrl: httpUrl(env, 'APPSTORE_OIDC_REGISTRATION_URL', registrationUrl) }),
      ...(issuer !== undefined && { issuer: httpUrl(env, 'APPSTORE_OIDC_ISSUER', issuer) }),
      ...(initialAccessTokenFile !== undefined && { initialAccessTokenFile }),
      timeoutMs,
    };
  }
  throw new ConfigError(`APPSTORE_PROVISIONER must be one of none, dataporten, oidc-registration, got "${kind}"`);
}

export function createProvisioner(config: ProvisioningConfig): Provisioner | undefined {
  switch (config.kind) {
    case 'none':
      return undefined;
    case 'dataporten':
      return new ClientadmProvisioner({
        baseUrl: config.clientadmUrl,
        issuer: config.issuer,
        timeoutMs: config.timeoutMs,
        ...(config.tokenFile !== undefined && { serviceToken: tokenFrom(config.tokenFile) }),
      });
    case 'oidc-registration':
      return new RegistrationProvisioner({
        ...(config.registrationUrl !== undefined && { registrationUrl: config.registrationUrl }),
        ...(config.issuer !== undefined && { issuer: config.issuer }),
        ...(config.initialAccessTokenFile !== undefined && { initialAccessToken: tokenFrom(config.initialAccessTokenFile) }),
        timeoutMs: config.timeoutMs,
      });
  }
}

function tokenFrom(file: string): () => string | undefined {
  return () => {
    const token = readFileSync(file, 'utf8').trim();
    return token === '' ? undefined : token;
  };
}


