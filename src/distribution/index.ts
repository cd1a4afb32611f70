// The registry client berthd pulls, pushes, logs in and searches with (src/registry is the server side).
export { type AuthConfig, authConfigOf, type Credentials, credentialsOf, decodeRegistryAuth } from './auth.js';
export { endpointsFor, isInsecure, type RegistryHosts } from './endpoints.js';
export { registryErrors } from './errors.js';
export { Slots } from './limiter.js';
export { login, loginDomain, type LoginResult, registryConfigAuth } from './login.js';
export { type BlobSource, LayerBlobs } from './metadata.js';
export { hostPlatform, parsePlatform, platformString } from './platform.js';
export type { ProgressMessage, ProgressOut } from './progress.js';
export {
  type PullDeps,
  type PullImages,
  type PullLayers,
  type PullRequest,
  type PullResult,
  pullImage,
} from './pull.js';
export { nothingToPush, type PushDeps, type PushLayers, type PushTarget, pushImages } from './push.js';
export { search, type SearchOptions, type SearchResult, searchIndex } from './search.js';
export { RegistryClient, type RegistryClientOptions, RegistrySession } from './session.js';
