// The build executor: a parsed Dockerfile run step by step over a BuildBackend, with the build cache.
export { BuildCache, cacheKey } from './cache.js';
export { type BuilderDeps, type BuildRequest, prepareBuild, runBuild } from './build.js';
export { CacheMountUsers } from './run-mounts.js';
export { BuildError } from './stage.js';
