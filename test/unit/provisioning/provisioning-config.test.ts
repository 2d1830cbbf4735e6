import { ConfigError } from '../../../src/config.js';
import { createProvisioner, loadProvisioningConfig } from '../../../src/provisioning/provisioning-config.js';

describe('loadProvisioningConfig', () => {
  test('provisions nothing unless asked', () => {
    expect(loadProvisioningConfig({})).toEqual({ kind: 'none' });
    expect(createProvisioner(loadProvisioningConfig({}))).toBeUndefined();
  });

  test('dataporten defaults to the public clientadm API', () => {
    const config = loadProvisioningConfig({ APPSTORE_PROVISIONER: 'dataporten' });
    expect(config).toEqual({ kind: 'dataporten', clientadmUrl: 'https://clientadmin.dataporten-api.no', issuer: 'https://auth.dataporten.no', timeoutMs: 10_000 });
    expect(createProvisioner(config)?.kind).toBe('dataporten');
  });

  test('oidc-registration takes a registration endpoint or an issuer to discover it from', () => {
    expect(loadProvisioningConfig({ APPSTORE_PROVISIONER: 'oidc-registration', APPSTORE_OIDC_REGISTRATION_URL: 'https://op.example.org/reg/' })).toMatchObject({
      kind: 'oidc-registration',
      registrationUrl: 'https://op.example.org/reg',
    });
    const discovered = loadProvisioningConfig({ APPSTORE_PROVISIONER: 'oidc-registration', APPSTORE_OIDC_ISSUER: 'https://op.example.org' });
    expect(discovered).toMatchObject({ issuer: 'https://op.example.org' });
    expect(createProvisioner(discovered)?.kind).toBe('oidc-registration');
  });

  test.each([
    [{ APPSTORE_PROVISIONER: 'keycloak' }, /APPSTORE_PROVISIONER/],
    [{ APPSTORE_PROVISIONER: 'oidc-registration' }, /APPSTORE_OIDC_REGISTRATION_URL or APPSTORE_OIDC_ISSUER/],
    [{ APPSTORE_PROVISIONER: 'dataporten', APPSTORE_CLIENTADM_URL: 'ftp://x' }, /APPSTORE_CLIENTADM_URL/],
    [{ APPSTORE_PROVISIONER: 'dataporten', APPSTORE_PROVISIONER_TIMEOUT_MS: '0' }, /APPSTORE_PROVISIONER_TIMEOUT_MS/],
  ])('a bad setting stops the store, naming the variable (%j)', (env, message) => {
    expect(() => loadProvisioningConfig(env)).toThrow(ConfigError);
    expect(() => loadProvisioningConfig(env)).toThrow(message);
  });
});
