// What every stage of a build shares: the backend, the cache, the output, the build's options and its sources.
import type { BuildBackend, BuildImage } from '../backend.js';
import type { BuildCache } from './cache.js';
import type { BuildOutput } from './output.js';
import type { MountContext } from './run-mounts.js';

/** What a stage shares with the rest of the build. */
export interface StageContext extends MountContext {
  backend: BuildBackend;
  cache: BuildCache;
  out: BuildOutput;
  noCache: boolean;
  networkMode: string;
  /** SOURCE_DATE_EPOCH, in seconds. */
  epoch: number | undefined;
  /** `--build-arg` values (undefined: take it from the builder's environment, which berth leaves unset). */
  buildArgs: ReadonlyMap<string, string | undefined>;
  /** Build args some ARG consumed (the rest are reported unused). */
  usedArgs: Set<string>;
  escape: string;
  /** Images given with --cache-from, whose history may stand in for a step. */
  cacheFrom: readonly BuildImage[];
}
