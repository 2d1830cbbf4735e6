export { TillerClient, ALL_STATUS_CODES } from './tiller-client.js';
export type { TillerCallObserver, TillerClientOptions, InstallInput, UpgradeInput, RollbackInput, ListInput } from './tiller-client.js';
export { fromTillerError, classifyTillerError, type TillerErrorKind } from './tiller-errors.js';
export { Status_Code as ReleaseStatusCode } from '../../gen/hapi/release/status.js';
export { EngineDetector, engineName, profileOf, type EngineKind, type EngineProfile } from './engine-profile.js';
