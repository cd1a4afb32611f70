// The layer store (moby's layer package, the part berth needs): read-only layers keyed by chain ID, each stored once
// however many images use it, reference counted, removed with their unused parents; and containers' read-write
// layers on top. Metadata (layerdb.ts) is written after the driver data is complete, so a crash leaves at most
// leftovers that open() removes (reconcile.ts); nothing half-registered is ever visible.
import { createHash } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import { Conflict, InvalidParameter, NotFound, System } from '../../errdefs/index.js';
import type { Digest } from '../../lib/digest.js';
import type { LayerSource } from '../../archive/index.js';
import {
  type Change,
  changesDirs,
  contentFromDir,
  type DiffStream,
  exportChanges,
  replayOffThread,
  replayTarSplit,
} from '../archive/index.js';
import { KeyedLock } from '../../lib/keyed-lock.js';
import { type DriverName, type GraphDriver, type ReadWriteOptions, validateLayerId } from '../graphdriver/index.js';
import { chainIdOf, checkChainId } from './chain.js';
import { LayerDb, type LayerRecord, type MountRecord, newDriverId } from './layerdb.js';
import { readAhead } from './readahead.js';
import { type ReconcileReport, reconcile } from './reconcile.js';

export interface LayerStoreOptions {
  /** Where layerdb/ lives (e.g. /var/lib/berth/image/<driver>). */
  root: string;
  /** The graph driver holding the layers' files; the store owns every layer in it. */
  driver: GraphDriver;
}

export interface LayerInfo {
  chainId: Digest;
  diffId: Digest;
  /** Bytes of file content in this layer's own diff (not its parents'). */
  size: number;
  parent?: Digest;
  /** The graph driver's id for the layer directory (for inspect's GraphDriver data). */
  cacheId: string;
}

export interface RegisterResult extends LayerInfo {
  /** False when a layer with this chain ID already existed and was reused. */
  created: boolean;
}

export interface RWLayerInfo {
  containerId: string;
  /** The graph driver's id for the read-write layer. */
  mountId: string;
  /** Chain ID of the image's top layer, if the container has an image. */
  parent?: Digest;
  /** The merged path while mounted. */
  mountPath?: string;
}

export interface ResetReport {
  /** Chain IDs that were counted but are not in the store (the caller's images are missing layers). */
  unknown: Digest[];
  /** Layers removed because nothing uses them. */
  removed: Digest[];
}

export interface LayerStoreStats {
  layers: number;
  /** Sum of the layers' own sizes (shared layers counted once). */
  size: number;
  rwLayers: number;
  driver: DriverName;
  driverStatus: [string, string][];
}

interface Layer extends LayerRecord {
  parentLayer: Layer | undefined;
  /** References held by images (retain/release, and the one register hands to its caller). */
  refs: number;
  /** Held by operations in flight (a register on top, a tar being read). */
  pins: number;
  /** Child layers and read-write layers on top. */
  children: number;
  removed: boolean;
}

interface RWLayer {
  record: MountRecord;
  parentLayer: Layer | undefined;
  /** mount() calls not yet matched by unmount(). */
  mounts: number;
  mountPath: string | undefined;
  /** changes()/diffRW() in flight. */
  busy: number;
}

const STORE = 'store';
/** Layers of one chain applied at once (each is mostly waiting on the disk and on hashing). */
const CHAIN_CONCURRENCY = 3;

/** Opens a layer tar when it is about to be applied (registerChain may apply a tar again after a lost race). */
export type LayerOpener = () => Promise<Uint8Array | LayerSource> | Uint8Array | LayerSource;

/**
 * A layer tar applied ahead of knowing its place in a chain (stage()): registerChain takes it in place of an opener
 * and only puts it on its parent; unused, it goes back through discardStaged(). Until then it is a driver layer with
 * an intent, so a crash leaves nothing that open() does not remove.
 */
export class StagedLayer {
  /** Taken by registerChain or discarded: it cannot be used again. */
  used = false;
  constructor(
    readonly cacheId: string,
    readonly applied: Applied,
    /** Opens the tar again, to apply it where this copy cannot be used (taken already, or the chain failed). */
    readonly reopen: LayerOpener,
  ) {}

  get diffId(): Digest {
    return this.applied.diffId;
  }
}

interface Applied {
  diffId: Digest;
  size: number;
  /** Bytes of the uncompressed tar. */
  tarSize: number;
  tarSplit?: Buffer;
}

/** Runs `fn(0..n-1)` with at most `limit` at a time; the first failure is thrown once all started ones settle. */
async function allLimited(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < n && !failed) {
      const i = next++;
      try {
        await fn(i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(n, limit) }, worker));
  const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}

/** A counting semaphore. */
class Slots {
  private readonly waiting: (() => void)[] = [];
  constructor(private free: number) {}

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

export class LayerStore {
  private readonly layers = new Map<Digest, Layer>();
  private readonly rw = new Map<string, RWLayer>();
  /** Serialises changes to the layer graph and its metadata ("store"); slow driver work runs outside it. */
  private readonly lock = new KeyedLock();
  /** Serialises each container's read-write layer operations (taken before `lock`, never inside it). */
  private readonly rwLock = new KeyedLock();
  /** Staged applies at once (each holds an apply worker). */
  private readonly stageSlots = new Slots(CHAIN_CONCURRENCY);

  private constructor(
    private readonly db: LayerDb,
    readonly driver: GraphDriver,
    /** What open() found and repaired. */
    readonly reconciled: ReconcileReport,
  ) {}

  /**
   * Opens (creating if needed) the store and reconciles it with the driver (see reconcile.ts). Loaded layers start
   * with no references: call reset() with the images' counts before using the store.
   */
  static async open(opts: LayerStoreOptions): Promise<LayerStore> {
    const db = new LayerDb(opts.root);
    await db.init();
    const { layers, mounts, report } = await reconcile(db, opts.driver);
    const store = new LayerStore(db, opts.driver, report);
    const link = (rec: LayerRecord): Layer => {
      const have = store.layers.get(rec.chainId);
      if (have) return have;
      const parentLayer = rec.parent === undefined ? undefined : link(layers.get(rec.parent)!);
      if (parentLayer) parentLayer.children++;
      const layer: Layer = { ...rec, parentLayer, refs: 0, pins: 0, children: 0, removed: false };
      store.layers.set(rec.chainId, layer);
      return layer;
    };
    for (const rec of layers.values()) link(rec);
    for (const rec of mounts.values()) {
      const parentLayer = rec.parent === undefined ? undefined : store.layers.get(rec.parent);
      if (parentLayer) parentLayer.children++;
      store.rw.set(rec.containerId, { record: rec, parentLayer, mounts: 0, mountPath: undefined, busy: 0 });
    }
    return store;
  }

  // ---- read-only layers ----

  /**
   * Applies a layer tar (plain or gzip) on top of `parent` and returns its IDs. If a layer with the resulting chain
   * ID exists already, the new copy is dropped and the existing one reused. Either way the caller receives one
   * reference to the layer (moby's Register): hand it to an image, or release() it. `tar` may be bytes, a Readable or
   * any async iterable of bytes.
   */
  async register(tar: Uint8Array | LayerSource, parent?: string): Promise<RegisterResult> {
    const parentLayer = parent === undefined ? undefined : await this.lock.run(STORE, async () => this.pin(parent));
    try {
      const cacheId = await this.prepare(parentLayer?.cacheId);
      let result: RegisterResult;
      try {
        result = await this.commit(cacheId, parentLayer, await this.apply(cacheId, tar));
      } catch (e) {
        await this.discard(cacheId);
        throw e;
      }
      await this.settle(cacheId, result);
      return result;
    } finally {
      if (parentLayer) await this.unpin(parentLayer);
    }
  }

  /**
   * Registers a stack of layer tars, bottom first, on `parent`: what `register` does for each in turn, but with a
   * driver whose layers do not copy their parent (overlay2) the tars are applied concurrently, each into its own
   * layer. Nothing is committed until every tar has been applied and, when `expected` is given, every diff ID
   * matches it (InvalidParameter otherwise); each tar is opened only when it is applied. The caller receives one
   * reference per layer, as from register.
   */
  async registerChain(
    tars: readonly (LayerOpener | { readonly diffId: Digest })[],
    parent?: string,
    expected?: readonly Digest[],
  ): Promise<RegisterResult[]> {
    if (expected !== undefined && expected.length !== tars.length) {
      throw new InvalidParameter(`${tars.length} layers but ${expected.length} diff IDs`);
    }
    if (tars.length === 0) return [];
    const parentLayer = parent === undefined ? undefined : await this.lock.run(STORE, async () => this.pin(parent));
    try {
      return await this.registerChainOn(tars, parentLayer, expected);
    } finally {
      if (parentLayer) await this.unpin(parentLayer);
    }
  }

  private async registerChainOn(
    given: readonly (LayerOpener | { readonly diffId: Digest })[],
    parentLayer: Layer | undefined,
    expected: readonly Digest[] | undefined,
  ): Promise<RegisterResult[]> {
    const cacheIds: string[] = [];
    const settled = new Set<string>();
    const results: RegisterResult[] = [];
    const openers = given.map((t): LayerOpener => {
      if (t instanceof StagedLayer) return t.reopen;
      if (typeof t === 'function') return t;
      throw new InvalidParameter('registerChain takes openers and layers this store staged');
    });
    // Staged layers are used where the driver can put them on a parent; anything else is applied here.
    const setParent = this.driver.setParent?.bind(this.driver);
    const staged = given.map((t) => {
      if (!(t instanceof StagedLayer) || t.used || !setParent) return undefined;
      t.used = true; // the same staged layer twice in a chain: the second is applied again
      return t;
    });
    try {
      const applied: Applied[] = [];
      const applyOne = async (i: number) => {
        const s = staged[i];
        applied[i] = s ? s.applied : await this.apply(cacheIds[i]!, await openers[i]!());
        const want = expected?.[i];
        if (want !== undefined && applied[i]!.diffId !== want) {
          throw new InvalidParameter(
            `invalid diffID for layer ${i}: expected ${JSON.stringify(want)}, got ${JSON.stringify(applied[i]!.diffId)}`,
          );
        }
      };
      if (this.driver.whiteoutMode === 'overlay') {
        // A layer's files land in its own diff dir whatever is below it, so only the (cheap) creates are ordered.
        for (const s of staged) {
          const below = cacheIds.at(-1) ?? parentLayer?.cacheId;
          if (!s) cacheIds.push(await this.prepare(below));
          else {
            cacheIds.push(s.cacheId);
            if (below !== undefined) await setParent!(s.cacheId, below);
          }
        }
        await allLimited(given.length, CHAIN_CONCURRENCY, applyOne);
      } else {
        // The driver copies the parent's files into a new layer: each must be complete before the next is created.
        for (let i = 0; i < given.length; i++) {
          cacheIds.push(await this.prepare(cacheIds.at(-1) ?? parentLayer?.cacheId));
          await applyOne(i);
        }
      }
      let below = parentLayer;
      for (let i = 0; i < given.length; i++) {
        const result = await this.commit(cacheIds[i]!, below, applied[i]!);
        results.push(result);
        await this.settle(cacheIds[i]!, result);
        settled.add(cacheIds[i]!);
        below = this.layers.get(result.chainId);
        if (!result.created && i < given.length - 1) {
          // Registered meanwhile by someone else: the layers applied above sit on a copy that is now gone, so they
          // are registered again on the existing one.
          for (const id of cacheIds.slice(i + 1)) await this.discard(id);
          cacheIds.length = i + 1;
          results.push(...(await this.registerChainOn(openers.slice(i + 1), below, expected?.slice(i + 1))));
          break;
        }
      }
      return results;
    } catch (e) {
      for (const id of cacheIds) if (!settled.has(id)) await this.discard(id);
      // The references already handed out for the layers committed below the failure go back.
      for (const r of results.reverse()) {
        const layer = this.layers.get(r.chainId);
        if (layer && layer.refs > 0) {
          layer.refs--;
          await this.lock.run(STORE, () => this.collect(layer));
        }
      }
      throw e;
    }
  }

  /**
   * Applies a layer tar before its place in a chain is known (load applies layers while it still reads the archive):
   * into a driver layer of its own, with an intent, not visible as a layer. Hand the result to registerChain in the
   * opener's place, or to discardStaged. Undefined where the driver cannot put a layer on a parent afterwards (vfs),
   * when the store has a layer with `likelyDiffId` (the archive's name for the tar, if it gave one), or when the tar
   * does not apply (registerChain then applies it from `open` and reports the error).
   */
  async stage(open: LayerOpener, likelyDiffId?: Digest): Promise<StagedLayer | undefined> {
    if (!this.driver.setParent || this.driver.whiteoutMode !== 'overlay') return undefined;
    // Most likely a layer the store has (an image loaded again): not worth applying on speculation.
    const known = (d: Digest) => [...this.layers.values()].some((l) => l.diffId === d);
    if (likelyDiffId !== undefined && known(likelyDiffId)) return undefined;
    await this.stageSlots.acquire();
    try {
      const cacheId = await this.prepare(undefined);
      try {
        return new StagedLayer(cacheId, await this.apply(cacheId, await open()), open);
      } catch {
        await this.discard(cacheId);
        return undefined;
      }
    } finally {
      this.stageSlots.release();
    }
  }

  /** Removes a staged layer registerChain did not take. */
  async discardStaged(staged: StagedLayer): Promise<void> {
    if (staged.used) return;
    staged.used = true;
    await this.discard(staged.cacheId);
  }

  /** A new, empty driver layer on `parentCacheId`, with an intent so that open() removes it if it is never used. */
  private async prepare(parentCacheId: string | undefined): Promise<string> {
    const cacheId = newDriverId();
    await this.db.writeIntent(cacheId);
    try {
      await this.driver.create(cacheId, parentCacheId);
    } catch (e) {
      await this.discard(cacheId);
      throw e;
    }
    return cacheId;
  }

  /** Applies a tar (plain or gzip) into the driver layer, recording its tar-split and its uncompressed size. */
  private async apply(cacheId: string, tar: Uint8Array | LayerSource): Promise<Applied> {
    const applied = await this.driver.applyDiff(cacheId, tar instanceof Uint8Array ? [tar] : tar, {
      recordTarSplit: true,
    });
    const out: Applied = { diffId: applied.diffId, size: applied.size, tarSize: applied.tarSize };
    // Without a record (rare: a path written twice), layerTar regenerates the tar from the files instead.
    if (applied.tarSplit?.reproducible) out.tarSplit = applied.tarSplit.record;
    return out;
  }

  /** Records an applied driver layer as the layer on `parentLayer`, or hands out the existing one with its chain ID. */
  private async commit(cacheId: string, parentLayer: Layer | undefined, applied: Applied): Promise<RegisterResult> {
    const chainId = chainIdOf(parentLayer?.chainId, applied.diffId);
    return this.lock.run(STORE, async () => {
      const existing = this.layers.get(chainId);
      if (existing) {
        existing.refs++;
        return { ...info(existing), created: false };
      }
      const rec: LayerRecord = {
        chainId,
        diffId: applied.diffId,
        size: applied.size,
        cacheId,
        tarSize: applied.tarSize,
      };
      if (parentLayer) rec.parent = parentLayer.chainId;
      await this.db.commitLayer(rec, applied.tarSplit);
      const layer: Layer = { ...rec, parentLayer, refs: 1, pins: 0, children: 0, removed: false };
      this.layers.set(chainId, layer);
      if (parentLayer) parentLayer.children++;
      return { ...info(layer), created: true };
    });
  }

  /** After commit: a driver layer now named by a record loses its intent; a duplicate is removed. */
  private async settle(cacheId: string, result: RegisterResult): Promise<void> {
    if (result.created) await this.db.clearIntent(cacheId);
    else await this.discard(cacheId);
  }

  /** Removes a driver layer no record names. If that fails its intent stays behind, so open() removes it. */
  private async discard(driverId: string): Promise<void> {
    try {
      await this.driver.remove(driverId);
    } catch {
      return;
    }
    await this.db.clearIntent(driverId);
  }

  /** Adds a reference (an image starts using the layer). */
  async retain(chainId: string): Promise<void> {
    this.mustGet(chainId).refs++;
  }

  /**
   * Drops a reference. A layer left with no references and no children is removed, then its parents in turn if
   * they are left unused; returns the chain IDs removed.
   */
  async release(chainId: string): Promise<Digest[]> {
    const layer = this.mustGet(chainId);
    if (layer.refs === 0) throw new Conflict(`layer ${layer.chainId} is not retained`);
    layer.refs--;
    return this.lock.run(STORE, () => this.collect(layer));
  }

  /**
   * Sets every layer's reference count from the caller's (the images' counts per chain ID, recovered on start) and
   * removes layers nothing uses. Call it once after open, before registering.
   */
  async reset(counts: ReadonlyMap<string, number>): Promise<ResetReport> {
    return this.lock.run(STORE, async () => {
      const unknown: Digest[] = [];
      for (const [id, n] of counts) if (n > 0 && !this.layers.has(checkChainId(id))) unknown.push(id as Digest);
      for (const layer of this.layers.values()) layer.refs = counts.get(layer.chainId) ?? 0;
      const removed: Digest[] = [];
      for (const layer of [...this.layers.values()]) removed.push(...(await this.collect(layer)));
      return { unknown, removed };
    });
  }

  /** LayerRefs: whether the layer exists (complete; a register in flight is not visible). */
  async has(chainId: Digest): Promise<boolean> {
    return this.layers.has(chainId);
  }

  /** LayerRefs: the size of the layer's own diff. NotFound if it does not exist. */
  async size(chainId: Digest): Promise<number> {
    return this.mustGet(chainId).size;
  }

  get(chainId: string): LayerInfo {
    return info(this.mustGet(chainId));
  }

  /** The layer and its parents, bottom first (the image's rootfs order). */
  chain(chainId: string): LayerInfo[] {
    const out: LayerInfo[] = [];
    for (let l: Layer | undefined = this.mustGet(chainId); l; l = l.parentLayer) out.unshift(info(l));
    return out;
  }

  list(): LayerInfo[] {
    return [...this.layers.values()].map(info);
  }

  /**
   * The layer's diff as an uncompressed tar whose sha256 is its diff ID (for `save`/`push`). When register recorded
   * the tar (tar-split.json.gz) the original bytes are replayed from that record and the layer's files, so tars from
   * any writer come back exactly; otherwise the tar is generated from the driver's files. Either way it is checked
   * as it streams: if it does not reproduce the diff ID (or a file changed), the stream fails with a System error.
   * The layer cannot be removed until the stream has ended or been destroyed.
   */
  async layerTar(chainId: string): Promise<Readable> {
    const layer = await this.lock.run(STORE, async () => this.pin(chainId));
    let source: Readable;
    let digest: () => string | undefined;
    let observe: ((chunk: Buffer) => void) | undefined;
    let close: (() => Promise<void>) | undefined;
    let replayed = false;
    try {
      const record = await this.db.tarSplitFile(layer.chainId);
      if (record !== undefined) {
        replayed = true;
        const root = await this.driver.diffDir(layer.cacheId);
        // On a worker thread (it reads the files, checks their CRCs and hashes the tar), else here.
        const off = await replayOffThread(record, root);
        if (off) {
          digest = () => off.digest();
          close = off.close;
          source = Readable.from(off.chunks, { objectMode: false });
        } else {
          // A record that cannot be summarised is replayed all the same, to fail with replay's own error.
          const index = await this.db.readTarSplitIndex(layer.chainId).catch(() => undefined);
          const split = await this.db.openTarSplit(layer.chainId);
          if (split === undefined) throw new System(`layer ${layer.chainId}: its tar-split record is gone`);
          const hash = createHash('sha256');
          observe = (chunk) => hash.update(chunk);
          digest = () => `sha256:${hash.digest('hex')}`;
          const open = contentFromDir(root);
          const content = index === undefined ? open : readAhead(open, index.files);
          source = Readable.from(replayTarSplit(split, content), { objectMode: false });
        }
      } else {
        const diff: DiffStream = await this.driver.diff(layer.cacheId);
        digest = () => diff.digest();
        source = diff;
      }
    } catch (e) {
      await this.unpin(layer);
      throw e;
    }
    const verify = new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        observe?.(chunk);
        cb(null, chunk);
      },
      flush: (cb) => {
        const got = digest();
        if (got === layer.diffId) return cb();
        cb(
          new System(
            `layer ${layer.chainId}: its files do not reproduce diff ID ${layer.diffId} (got ${got}); ` +
              (replayed
                ? "the layer's files or its tar-split record were changed"
                : 'the layer was not stored in a form berth can export byte for byte'),
          ),
        );
      },
    });
    pipeline(source, verify, () => {
      // Errors reach the reader through `verify`. The layer stays pinned until the worker (if any) reads no more of
      // its files. A failed removal here is finished by reset()/open().
      (close?.() ?? Promise.resolve()).then(
        () => this.unpin(layer).catch(() => undefined),
        () => this.unpin(layer).catch(() => undefined),
      );
    });
    return verify;
  }

  /**
   * Bytes of the layer's uncompressed tar (what layerTar yields), so `save` can write a tar header before streaming
   * the content. Register records it; for a layer recorded before berth kept it, it is worked out once (from the
   * tar-split record, else by generating the tar, which verifies it) and added to the layer's record.
   */
  async layerTarSize(chainId: string): Promise<number> {
    const known = this.mustGet(chainId).tarSize;
    if (known !== undefined) return known;
    const layer = await this.lock.run(STORE, async () => this.pin(chainId));
    try {
      let size = (await this.db.readTarSplitIndex(layer.chainId))?.tarSize;
      if (size === undefined) {
        size = 0;
        for await (const chunk of await this.layerTar(layer.chainId)) size += (chunk as Buffer).length;
      }
      const total = size;
      await this.lock.run(STORE, async () => {
        if (!layer.removed && (await this.db.writeTarSize(layer.chainId, total))) layer.tarSize = total;
      });
      return total;
    } finally {
      await this.unpin(layer);
    }
  }

  // ---- read-write layers (containers) ----

  /**
   * Creates a container's read-write layer on the image layer `parent` (none: an empty rootfs); `opts.idMapping`:
   * the container runs under that user-namespace mapping (the driver shows it the image's files with mapped owners).
   */
  async createRW(containerId: string, parent?: string, opts: ReadWriteOptions = {}): Promise<RWLayerInfo> {
    validateLayerId(containerId, 'container id');
    return this.rwLock.run(containerId, async () => {
      const parentLayer = await this.lock.run(STORE, async () => {
        if (this.rw.has(containerId)) throw new Conflict(`container ${containerId} already has a read-write layer`);
        return parent === undefined ? undefined : this.pin(parent);
      });
      try {
        const record: MountRecord = { containerId, mountId: newDriverId() };
        if (parentLayer) record.parent = parentLayer.chainId;
        await this.db.writeIntent(record.mountId);
        // The driver's directories and the record that names them are written side by side: open() drops a record
        // whose layer still has its intent (a creation a crash cut short), and the layer with it.
        const [created, committed] = await Promise.allSettled([
          this.driver.createReadWrite(record.mountId, parentLayer?.cacheId, opts),
          this.db.commitMount(record),
        ]);
        if (created.status === 'rejected' || committed.status === 'rejected') {
          if (committed.status === 'fulfilled') await this.db.removeRecordDir(this.db.mountDir(containerId));
          await this.discard(record.mountId);
          throw created.status === 'rejected' ? created.reason : (committed as PromiseRejectedResult).reason;
        }
        await this.db.clearIntent(record.mountId);
        const rw: RWLayer = { record, parentLayer, mounts: 0, mountPath: undefined, busy: 0 };
        this.rw.set(containerId, rw);
        if (parentLayer) parentLayer.children++;
        return rwInfo(rw);
      } finally {
        if (parentLayer) await this.unpin(parentLayer);
      }
    });
  }

  /** Mounts the container's merged rootfs and returns its path; counted, each mount needs an unmount. */
  async mount(containerId: string): Promise<string> {
    return this.rwLock.run(containerId, async () => {
      const rw = this.mustGetRW(containerId);
      const p = await this.driver.get(rw.record.mountId);
      rw.mounts++;
      rw.mountPath = p;
      return p;
    });
  }

  /** Releases one mount(); the last one unmounts. A no-op when not mounted. */
  async unmount(containerId: string): Promise<void> {
    await this.rwLock.run(containerId, async () => {
      const rw = this.mustGetRW(containerId);
      if (rw.mounts === 0) return;
      await this.driver.put(rw.record.mountId);
      rw.mounts--;
      if (rw.mounts === 0) rw.mountPath = undefined;
    });
  }

  /** The merged path while mounted (for export and copy), else undefined. */
  mountPath(containerId: string): string | undefined {
    return this.mustGetRW(containerId).mountPath;
  }

  /** Removes the container's read-write layer (Conflict while mounted), then its image layers if left unused. */
  async removeRW(containerId: string): Promise<void> {
    await (await this.removeRWLater(containerId)).removed;
  }

  /**
   * removeRW in two steps, for a container's removal: resolves once the layer is checked (Conflict while mounted or
   * read) and no longer the container's, after `whenChecked` (the caller's own removal, made while no mount can
   * come between); the disk work goes on in `removed`. It holds the store lock, so a later layer operation (an
   * image's removal) waits for it. Should it fail, the layer's record is an orphan that open()'s caller reclaims.
   */
  async removeRWLater(containerId: string, whenChecked?: () => Promise<void>): Promise<{ removed: Promise<void> }> {
    return this.rwLock.run(containerId, async () => {
      const rw = this.mustGetRW(containerId);
      if (rw.mounts > 0) throw new Conflict(`the read-write layer of container ${containerId} is mounted`);
      if (rw.busy > 0) throw new Conflict(`the read-write layer of container ${containerId} is being read`);
      await whenChecked?.();
      this.rw.delete(containerId);
      const removed = this.lock.run(STORE, async () => {
        const moved = await this.db.beginRemove(this.db.mountDir(containerId));
        await this.driver.remove(rw.record.mountId);
        await this.db.finishRemove(moved);
        if (rw.parentLayer) {
          rw.parentLayer.children--;
          await this.collect(rw.parentLayer);
        }
      });
      return { removed };
    });
  }

  /** `docker diff`: paths the container added, changed and deleted. */
  changes(containerId: string): Promise<Change[]> {
    return this.readingRW(containerId, (mountId) => this.driver.changes(mountId));
  }

  /** Bytes the container's read-write layer adds or modifies (`docker ps -s` SizeRw). */
  sizeRW(containerId: string): Promise<number> {
    return this.readingRW(containerId, (mountId) => this.driver.diffSize(mountId));
  }

  /** Runs `read` on the container's driver layer, which meanwhile cannot be removed (Conflict). */
  private async readingRW<T>(containerId: string, read: (mountId: string) => Promise<T>): Promise<T> {
    const rw = this.mustGetRW(containerId);
    rw.busy++;
    try {
      return await read(rw.record.mountId);
    } finally {
      rw.busy--;
    }
  }

  /**
   * The container's whole merged filesystem as a tar stream (`docker export`). The layer stays mounted (and cannot
   * be removed) until the stream ends or is destroyed.
   */
  async exportRW(containerId: string): Promise<DiffStream> {
    const dir = await this.mount(containerId);
    let tar: DiffStream;
    try {
      tar = exportChanges(dir, await changesDirs(dir, undefined));
    } catch (e) {
      await this.unmount(containerId);
      throw e;
    }
    tar.once('close', () => {
      this.unmount(containerId).catch(() => {});
    });
    return tar;
  }

  /** The container's changes as a layer tar (for commit); digest() is its diff ID once it has ended. */
  async diffRW(containerId: string, only?: readonly Change[]): Promise<DiffStream> {
    const rw = this.mustGetRW(containerId);
    rw.busy++;
    let diff: DiffStream;
    try {
      diff = await this.driver.diff(rw.record.mountId, only);
    } catch (e) {
      rw.busy--;
      throw e;
    }
    diff.once('close', () => rw.busy--);
    return diff;
  }

  getRW(containerId: string): RWLayerInfo {
    return rwInfo(this.mustGetRW(containerId));
  }

  listRW(): RWLayerInfo[] {
    return [...this.rw.values()].map(rwInfo);
  }

  /** Containers that have a read-write layer but are not in `live` (the engine's containers): leftovers to remove. */
  orphanRW(live: Iterable<string>): string[] {
    const known = new Set(live);
    return [...this.rw.keys()].filter((id) => !known.has(id));
  }

  // ---- info ----

  async stats(): Promise<LayerStoreStats> {
    let size = 0;
    for (const l of this.layers.values()) size += l.size;
    return {
      layers: this.layers.size,
      size,
      rwLayers: this.rw.size,
      driver: this.driver.name,
      driverStatus: await this.driver.status(),
    };
  }

  // ---- internals ----

  private mustGet(chainId: string): Layer {
    const layer = this.layers.get(checkChainId(chainId));
    if (!layer) throw new NotFound(`layer ${chainId} does not exist`);
    return layer;
  }

  private mustGetRW(containerId: string): RWLayer {
    const rw = this.rw.get(containerId);
    if (!rw) throw new NotFound(`container ${containerId} has no read-write layer`);
    return rw;
  }

  /** Holds a layer for an operation in flight (under the store lock). */
  private pin(chainId: string): Layer {
    const layer = this.mustGet(chainId);
    layer.pins++;
    return layer;
  }

  private async unpin(layer: Layer): Promise<void> {
    layer.pins--;
    await this.lock.run(STORE, () => this.collect(layer));
  }

  /**
   * Removes `layer` if nothing uses it, then its parents while they are unused (under the store lock). The record is
   * moved out of sight first, so a crash between the steps leaves work open() finishes, never a visible half-layer.
   */
  private async collect(start: Layer): Promise<Digest[]> {
    const removed: Digest[] = [];
    for (let l: Layer | undefined = start; l && unused(l); l = l.parentLayer) {
      l.removed = true;
      this.layers.delete(l.chainId);
      const moved = await this.db.beginRemove(this.db.layerDir(l.chainId));
      await this.driver.remove(l.cacheId);
      await this.db.finishRemove(moved);
      removed.push(l.chainId);
      if (l.parentLayer) l.parentLayer.children--;
    }
    return removed;
  }
}

const unused = (l: Layer) => !l.removed && l.refs === 0 && l.pins === 0 && l.children === 0;

function info(l: Layer): LayerInfo {
  const out: LayerInfo = { chainId: l.chainId, diffId: l.diffId, size: l.size, cacheId: l.cacheId };
  if (l.parent !== undefined) out.parent = l.parent;
  return out;
}

function rwInfo(rw: RWLayer): RWLayerInfo {
  const out: RWLayerInfo = { containerId: rw.record.containerId, mountId: rw.record.mountId };
  if (rw.record.parent !== undefined) out.parent = rw.record.parent;
  if (rw.mountPath !== undefined) out.mountPath = rw.mountPath;
  return out;
}
