// The image store's in-memory model, and the narrow views of it that the list/inspect/remove code works through
// (so those files depend on an interface, not on the store class).
import type { Digest } from '../../lib/digest.js';
import type { Reference } from '../reference.js';
import type { ImageConfig } from '../types.js';
import type { LayerRefs } from './layer-refs.js';

/** One image: its config (whose sha256 is its ID), chain IDs and the store's own metadata. */
export interface ImageRecord {
  id: Digest;
  config: ImageConfig;
  /** Chain IDs of its layers, bottom first. */
  chainIds: Digest[];
  /** Set for images made by commit/build on top of a local image. */
  parent?: Digest;
  /** When the image entered this store (ISO 8601). */
  added: string;
  /** When it was last tagged (ISO 8601). */
  lastTagTime?: string;
}

/** A container using an image, as the engine reports it. */
export interface ImageUser {
  id: string;
  running: boolean;
}

/**
 * Which containers use an image (the engine's to answer; the image store knows nothing of containers). Docker refuses
 * removal outright for a running one and without force for a stopped one, so the answer says which is which.
 */
export type ContainerUsage = (imageId: Digest) => Promise<readonly ImageUser[]>;

/** Read access to the store. */
export interface StoreView {
  readonly layers: LayerRefs;
  images(): Iterable<ImageRecord>;
  image(id: Digest): ImageRecord | undefined;
  /** Docker's GetImage: throws NotFound/InvalidParameter. */
  resolve(refOrId: string): ImageRecord;
  references(id: Digest): Reference[];
  children(id: Digest): Digest[];
}

/** What removal and prune need on top of reading. Callers hold the store's lock. */
export interface StoreOps extends StoreView {
  containersUsing(id: Digest): Promise<readonly ImageUser[]>;
  /** Deletes a reference; false when it did not exist. */
  deleteReference(ref: Reference): Promise<boolean>;
  /** Deletes the image record and config; returns the chain IDs no remaining image uses, top first. */
  deleteImage(id: Digest): Promise<Digest[]>;
}
