// The build context (issue 15): the uploaded tar unpacked, .dockerignore, COPY/ADD sources resolved, checksummed for
// the cache and turned into the tar a step extracts, and ADD's URL downloads. Produces tars; never writes a rootfs.
export { BuildContext } from './build-context.js';
export { checksumSources } from './checksum.js';
export { type CopyTarOptions, copyTar, normalizeDest } from './copy-tar.js';
export { hasExceptionsUnder, type IgnoreMatcher, ignoreMatcher, parseDockerignore } from './dockerignore.js';
export { fetchUrlSource, isUrl } from './fetch-url.js';
export { containsWildcards } from './glob.js';
export { type CopySource, type ResolveOptions, resolveSources, type SourceTree } from './sources.js';
