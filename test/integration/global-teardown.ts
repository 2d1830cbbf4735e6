/** Stops what global-setup started: no peer may outlive the test run. */
export default async function globalTeardown(): Promise<void> {
  const stop = (globalThis as { __appstoreTestServices?: () => Promise<void> }).__appstoreTestServices;
  await stop?.();
}
