// The graph driver interface (moby's graphdriver.Driver / containerd's snapshotter, reduced to what berth uses):
// layers stacked by parent, mounted on demand, with a writable top layer per container.
import { InvalidParameter } from '../../errdefs/index.js';
import type { IdentityMapping } from '../../lib/idmap.js';
import type { LayerSource } from '../../archive/index.js';
import type { Change, DiffStream, RecordedApplyResult, WhiteoutMode } from '../archive/index.js';

export type DriverName = 'overlay2' | 'vfs';

export interface ApplyDiffOptions {
  /** Record the tar's tar-split (the layer store keeps it to rebuild the tar byte for byte). */
  recordTarSplit?: boolean;
}

export interface ReadWriteOptions {
  /**
   * The container runs in a user namespace with this mapping (--userns-remap): its rootfs must show the image's
   * files owned by the mapped ids. Drivers that cannot do that refuse it (NotImplemented).
   */
  idMapping?: IdentityMapping;
}

export interface GraphDriver {
  readonly name: DriverName;
  /** How a layer tar's whiteouts land in diffDir(): overlay markers (overlay2) or deletions (vfs). */
  readonly whiteoutMode: WhiteoutMode;
  /** Creates an (image) layer on top of `parent`. NotFound if the parent is missing, Conflict if `id` exists. */
  create(id: string, parent?: string): Promise<void>;
  /**
   * Optional (overlay2): puts a layer created without a parent on `parent`, keeping its diff. Drivers whose layers
   * copy their parent (vfs) cannot.
   */
  setParent?(id: string, parent: string): Promise<void>;
  /** Creates a container's writable layer on top of `parent`. */
  createReadWrite(id: string, parent?: string, opts?: ReadWriteOptions): Promise<void>;
  /** Removes a layer; a layer still in use (get without put) is a Conflict. Removing a missing layer is a no-op. */
  remove(id: string): Promise<void>;
  /** Mounts the layer's merged view (counted: each get needs a put) and returns its path. */
  get(id: string): Promise<string>;
  /** Releases one get(); the last one unmounts. */
  put(id: string): Promise<void>;
  exists(id: string): Promise<boolean>;
  /** The directory holding this layer's own content, where a layer tar is applied. */
  diffDir(id: string): Promise<string>;
  /**
   * Applies a layer tar (plain or gzip) into diffDir() with this driver's whiteout mode, on an apply worker thread
   * where one can run; also measures the tar and, if asked, records its tar-split.
   */
  applyDiff(id: string, source: LayerSource, options?: ApplyDiffOptions): Promise<RecordedApplyResult>;
  /** Paths added, modified and deleted relative to the parent (`docker diff`). */
  changes(id: string): Promise<Change[]>;
  /** Bytes of the regular files the layer adds or modifies (`docker ps -s` SizeRw), hard links counted once. */
  diffSize(id: string): Promise<number>;
  /**
   * The layer's changes as a tar stream; its digest() is the diffID once it has ended. With `only`, just those
   * changes (a subset of changes(), e.g. without the runtime's mount points), taken from the layer's own tree.
   */
  diff(id: string, only?: readonly Change[]): Promise<DiffStream>;
  /** `docker info`'s DriverStatus pairs. */
  status(): Promise<[string, string][]>;
  /** Unmounts everything this driver mounted (daemon shutdown). */
  cleanup(): Promise<void>;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Layer ids become directory names: only safe names are accepted. */
export function validateLayerId(id: string, what = 'layer id'): void {
  if (!ID.test(id) || id === 'l') throw new InvalidParameter(`invalid ${what} ${JSON.stringify(id)}`);
}
