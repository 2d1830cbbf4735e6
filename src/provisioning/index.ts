export { KubeClientSecretStore, clientSecretName } from './kube-client-secrets.js';
export { createProvisioner, loadProvisioningConfig, type ProvisioningConfig } from './provisioning-config.js';
export { ReleaseClients, type ClientRequest, type GeneratedValues } from './release-clients.js';
export { IssuerDiscovery, type IssuerEndpoints } from './issuer-discovery.js';
export { resolveRedirectUris } from './redirect-uris.js';
export type { ClientSecrets, ClientSpec, Provisioner, ProvisionedClient, ProvisioningAuth, RegisteredClient } from './types.js';
export { ClientadmProvisioner } from './clientadm-provisioner.js';
export { RegistrationProvisioner } from './registration-provisioner.js';
