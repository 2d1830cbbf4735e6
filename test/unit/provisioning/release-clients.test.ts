import { AppStoreError } from '../../../src/domain/errors.js';
import { createLogger } from '../../../src/observability/logger.js';
import { ReleaseClients } from '../../../src/provisioning/release-clients.js';
import type { ClientSecrets, ClientSecretStore, ClientSpec, Provisioner, RegisteredClient } from '../../../src/provisioning/types.js';

class MemorySecrets implements ClientSecretStore {
  readonly data = new Map<string, ClientSecrets>();
  async put(id: string, secrets: ClientSecrets) {
    this.data.set(id, secrets);
    return `appstore-client-${id}`;
  }
  async get(id: string) {
    return this.data.get(id);
  }
  async delete(id: string) {
    this.data.delete(id);
  }
}

/** A provisioner that records calls and rotates its management token on every update, as RFC 7592 servers may. */
function fakeProvisioner(): Provisioner & { calls: string[]; specs: ClientSpec[]; failDelete: boolean } {
  let n = 0;
  const fake = {
    kind: 'oidc-registration' as const,
    calls: [] as string[],
    specs: [] as ClientSpec[],
    failDelete: false,
    async create(spec: ClientSpec): Promise<RegisteredClient> {
      fake.calls.push('create');
      fake.specs.push(spec);
      return { handle: { clientId: 'c1', location: 'https://op/reg/c1', owner: 'alice', scopes: [...spec.scopes] }, secrets: { clientSecret: 's3cret', registrationAccessToken: `rat-${n++}` } };
    },
    async update(client: RegisteredClient, spec: ClientSpec): Promise<RegisteredClient> {
      fake.calls.push(`update ${client.secrets.registrationAccessToken}`);
      fake.specs.push(spec);
      return { handle: client.handle, secrets: { ...client.secrets, registrationAccessToken: `rat-${n++}` } };
    },
    async delete(client: RegisteredClient) {
      fake.calls.push(`delete ${client.secrets.registrationAccessToken}`);
      if (fake.failDelete) throw new AppStoreError('Unavailable', 'the OpenID Provider is unavailable');
    },
    async describe() {
      return undefined;
    },
    async issuerEndpoints() {
      return { issuer: 'https://op', authorizationEndpoint: 'https://op/auth', tokenEndpoint: 'https://op/token', userinfoEndpoint: 'https://op/me' };
    },
  };
  return fake;
}

const files = [{ typeUrl: 'resources.yaml', value: Buffer.from('dataporten:\n  scopes_requested: [openid, groups]\n  redirect_uri: [/cb]\n') }];
const release = { id: 'wise-silver-ibis', owner: 'alice', adminGroups: ['fc:org:example.org'] };
const log = createLogger('silent');

test('without a provisioner a declared client is not requested', () => {
  expect(new ReleaseClients({ secrets: new MemorySecrets(), log }).declared(files, { host: 'a.example.org' })).toBeUndefined();
});

test('create: the record gets the public facts, the secret store the secrets, the chart the generated values', async () => {
  const provisioner = fakeProvisioner();
  const secrets = new MemorySecrets();
  const clients = new ReleaseClients({ provisioner, secrets, log });
  const request = clients.declared(files, { host: 'a.example.org' })!;
  const { provisioned, values } = await clients.create(release, request, { callerToken: 't', callerEmail: 'alice@example.org' });
  expect(provisioner.specs[0]).toEqual({ name: 'appstore-wise-silver-ibis', scopes: ['openid', 'groups'], redirectUris: ['https://a.example.org/cb'] });
  expect(provisioned).toEqual({
    provisioner: 'oidc-registration',
    clientId: 'c1',
    location: 'https://op/reg/c1',
    owner: 'alice',
    scopes: ['openid', 'groups'],
    redirectUris: ['https://a.example.org/cb'],
    secretName: 'appstore-client-wise-silver-ibis',
    state: 'active',
    contactEmail: 'alice@example.org',
  });
  expect(JSON.stringify(provisioned)).not.toMatch(/s3cret|rat-/);
  expect(secrets.data.get(release.id)).toEqual({ clientSecret: 's3cret', registrationAccessToken: 'rat-0' });
  expect(values).toEqual({
    appstore_generated_data: {
      dataporten: { id: 'c1', client_secret: 's3cret', owner: 'alice', scopes: ['openid', 'groups'], authorized_groups: ['fc:org:example.org'] },
      aai: {
        client_id: 'c1',
        client_secret: 's3cret',
        issuer_url: 'https://op',
        scopes: ['openid', 'groups'],
        authorized_principals: ['fc:org:example.org'],
        owner: 'alice',
        userinfo_url: 'https://op/me',
        token_url: 'https://op/token',
        auth_url: 'https://op/auth',
      },
      appstore_meta_data: { contact_email: 'alice@example.org' },
    },
  });
});

test('create: when the secrets cannot be kept, the client is deleted again', async () => {
  const provisioner = fakeProvisioner();
  const secrets = new MemorySecrets();
  secrets.put = async () => {
    throw new AppStoreError('Unavailable', 'the Kubernetes API server is unavailable');
  };
  const clients = new ReleaseClients({ provisioner, secrets, log });
  await expect(clients.create(release, { scopes: ['openid'], redirectUris: ['https://a/cb'] }, {})).rejects.toThrow(/Kubernetes/);
  expect(provisioner.calls).toEqual(['create', 'delete rat-0']);
});

test('update: nothing is sent while the declaration is unchanged; a change is sent and the rotated token kept', async () => {
  const provisioner = fakeProvisioner();
  const secrets = new MemorySecrets();
  const clients = new ReleaseClients({ provisioner, secrets, log });
  const { provisioned } = await clients.create(release, clients.declared(files, { host: 'a.example.org' })!, {});
  const same = await clients.update(release, provisioned, clients.declared(files, { host: 'a.example.org' }), {});
  expect(provisioner.calls).toEqual(['create']);
  expect(same.provisioned).toBe(provisioned);
  expect(same.values).toMatchObject({ appstore_generated_data: { dataporten: { id: 'c1', client_secret: 's3cret' } } });

  const moved = await clients.update(release, provisioned, clients.declared(files, { host: 'b.example.org' }), {});
  expect(provisioner.calls).toEqual(['create', 'update rat-0']);
  expect(moved.provisioned.redirectUris).toEqual(['https://b.example.org/cb']);
  expect(secrets.data.get(release.id)?.registrationAccessToken).toBe('rat-1');
});

test('remove: deletes with the kept token, then the secrets; a failure keeps the secrets for a retry', async () => {
  const provisioner = fakeProvisioner();
  const secrets = new MemorySecrets();
  const clients = new ReleaseClients({ provisioner, secrets, log });
  const { provisioned } = await clients.create(release, { scopes: ['openid'], redirectUris: ['https://a/cb'] }, {});
  provisioner.failDelete = true;
  await expect(clients.remove(release.id, provisioned)).rejects.toThrow(/unavailable/);
  expect(secrets.data.has(release.id)).toBe(true);
  provisioner.failDelete = false;
  await clients.remove(release.id, provisioned);
  expect(provisioner.calls.at(-1)).toBe('delete rat-0');
  expect(secrets.data.has(release.id)).toBe(false);
});

test('a client made by another kind of provisioner is not handed to this one', async () => {
  const clients = new ReleaseClients({ provisioner: fakeProvisioner(), secrets: new MemorySecrets(), log });
  const other = { provisioner: 'dataporten' as const, clientId: 'x', location: 'u', owner: 'o', scopes: [], redirectUris: [], secretName: 's', state: 'active' as const };
  await expect(clients.remove('r', other)).rejects.toMatchObject({ code: 'FailedPrecondition' });
});

test('one client for both sections: the union of their scopes and redirect URIs, resolved against the chart values', () => {
  const clients = new ReleaseClients({ provisioner: fakeProvisioner(), secrets: new MemorySecrets(), log });
  const both = [
    {
      typeUrl: 'resources.yaml',
      value: Buffer.from(
        [
          'dataporten:',
          '  Options:',
          '    ScopesRequested: [profile, openid, groups]',
          '    RedirectURI: [/oauth2/callback, "https://mlflow-{{ .Values.ingress.host }}/oauth2/callback"]',
          'aai:',
          '  Options:',
          '    ScopesRequested: [profile, openid, email]',
          '    RedirectURI: [/oauth2/callback]',
        ].join('\n'),
      ),
    },
  ];
  expect(clients.declared(both, { ingress: { host: 'nb.example.org' } })).toEqual({
    scopes: ['profile', 'openid', 'groups', 'email'],
    redirectUris: ['https://nb.example.org/oauth2/callback', 'https://mlflow-nb.example.org/oauth2/callback'],
  });
});
