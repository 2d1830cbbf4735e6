// Jest runs the TypeScript sources through @swc/jest (no type-check: CI runs
// tsc --noEmit). ESM-only dependencies are transformed as well, so that they
// can be required from the CommonJS that swc emits.
const esmOnly = ['@kubernetes/client-node', 'jose', 'openid-client', 'oauth4webapi', 'oidc-provider', 'p-limit', 'yocto-queue'];
const shared = {
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};

module.exports = {
  // Integration suites share one cluster; running them one at a time keeps
  // them from racing each other on 2 cores.
  maxWorkers: 1,
  // Integration tests install releases on a real cluster; unit tests finish far sooner.
  testTimeout: 120000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
  ],
};
