// What the builder needs from the engine, declared here by its caller (the builder) and implemented by the engine's
// build service: images by reference, steps run as containers, writable layers to copy into, and commits.
import type { ImageConfig } from '../image/types.js';

/** An image as the builder sees it: its ID and its config (what FROM starts from and every step produces). */
export interface BuildImage {
  id: string;
  config: ImageConfig;
}

/** A mount of a RUN step, resolved to the host. */
export type StepMount =
  | { type: 'bind'; source: string; target: string; readonly: boolean }
  | { type: 'tmpfs'; target: string; size?: number };

export interface RunStep {
  /** The image the step runs on; undefined: scratch. */
  image: BuildImage | undefined;
  /** The container config (Cmd, Env, User, WorkingDir, Shell…) the step runs with. */
  config: NonNullable<ImageConfig['config']>;
  mounts: StepMount[];
  /** `default`, `none`, `host` or a network name. */
  networkMode: string;
  /** The step's output, chunk by chunk as it comes. */
  output: (chunk: Buffer) => void;
  /** Aborts the step (the client went away): the container is killed. */
  signal: AbortSignal;
}

/** A writable layer over an image, mounted at `root`, that a COPY writes into. */
export interface WorkLayer {
  id: string;
  root: string;
}

export interface BuildBackend {
  /** The image FROM names: a local one, or pulled when absent (or always, with `pull`). Progress goes to `progress`. */
  image(ref: string, opts: { pull: boolean; platform?: string; progress: (msg: object) => void }): Promise<BuildImage>;
  /** An image by ID, or undefined when it is gone (a cache entry that no longer holds). */
  imageById(id: string): BuildImage | undefined;
  /** Runs a RUN step in a container; resolves with its exit code and the container that holds its changes. */
  run(step: RunStep): Promise<{ containerId: string; exitCode: number }>;
  /** A writable layer over `image` (undefined: scratch), mounted. */
  workLayer(image: BuildImage | undefined): Promise<WorkLayer>;
  /**
   * The changes in a container or work layer as a new image over `parent` with `config` (whose rootfs and history
   * the backend completes with the new layer); `exclude` are paths that were only mount points of the step.
   */
  commit(opts: {
    from: string;
    parent: BuildImage | undefined;
    config: ImageConfig;
    exclude: readonly string[];
    /** SOURCE_DATE_EPOCH: every file's mtime in the new layer clamped to it (reproducible builds). */
    epoch?: number;
  }): Promise<BuildImage>;
  /** An image with `config` and no new layer (a metadata step, or a cache-from hit cut to its step). */
  put(config: ImageConfig, parent: BuildImage | undefined): Promise<BuildImage>;
  /** Removes a step's container or a work layer. */
  discard(id: string): Promise<void>;
  /** Resolves a COPY/ADD --chown value (`user`, `user:group`, ids) in the rootfs the files are copied into. */
  resolveOwner(root: string, chown: string): Promise<{ uid: number; gid: number }>;
  /** The host directory of a `RUN --mount=type=cache` id, made on first use with `mode`/`uid`/`gid`. */
  cacheDir(id: string, opts: { mode: number; uid: number; gid: number }): Promise<string>;
  /** The host ids a RUN step's `uid`/`gid` are (the daemon's --userns-remap range, else the same), for its mounts. */
  hostIds(owner: { uid: number; gid: number }): { uid: number; gid: number };
  /** Tags `imageId` as `ref`. */
  tag(imageId: string, ref: string): Promise<void>;
}
