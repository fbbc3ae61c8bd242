export type {
  TestTufRepositoryOptions,
  TufPublishOptions,
  TufRoleKeys,
  TufRoleName,
  TufRotateOptions,
} from './repository.js';
export {
  signTufMetadata,
  TestTufRepository,
  tufCanonicalJson,
  tufKeyId,
  tufKeyJson,
} from './repository.js';
export type { TufServerBehaviour } from './server.js';
export { TestTufServer } from './server.js';
