export type { Assessment } from './assess.js';
export { assessModule } from './assess.js';
export type { CatalogErrorCode, CatalogErrorDetail } from './errors.js';
export { assertSlug, CatalogError, isSlug, SLUG_PATTERN } from './errors.js';
export type {
  FindingSummary,
  ModuleContact,
  ModuleManifest,
  ModuleSource,
  SignatureEvidence,
  SignatureRequest,
  SignatureSource,
  VerifiedModule,
  VerifyContext,
} from './module.js';
export { bundleFileSignatureSource, MODULE_FILES, readModuleDir, verifyModule } from './module.js';
export { openApiDocument } from './openapi.js';
export type { FoundSignature, RecheckReport, RegistrySignatureOptions } from './registry.js';
export {
  imageReferenceOf,
  loaderError,
  REGISTRY_ENV,
  recheckModule,
  registryAuthFromEnv,
  registrySignatureSource,
} from './registry.js';
export type {
  MintOptions,
  SampleModuleSpec,
  SeedKit,
  SeedKitOptions,
  SeedResult,
} from './seed.js';
export {
  createSeedKit,
  SAMPLE_CONFIG,
  SAMPLE_MODULES,
  seedCatalog,
  writeModuleDir,
} from './seed.js';
export type { CatalogApp, CatalogServerOptions, RunningCatalog, StartOptions } from './server.js';
export {
  createCatalogServer,
  HTTP_ERROR_CODES,
  MAX_URL_LENGTH,
  startCatalogServer,
} from './server.js';
export type { CatalogConfig, CatalogEntry, ServedVex, StoreOptions } from './store.js';
export { CatalogStore, DATA_FILES, identityFor, initDataDir } from './store.js';
export type { VexRepositoryIndex, VexRepositoryPackage } from './vex-repo.js';
export { modulePurl, tarGz, vexRepositoryManifest } from './vex-repo.js';
