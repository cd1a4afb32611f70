// Chain IDs (OCI image-spec, "Layer ChainID"): the identity of a layer together with everything below it.
// chainID(L0) = diffID(L0); chainID(Ln) = sha256(chainID(Ln-1) + " " + diffID(Ln)). The layer store is keyed by them.
import { type Digest, sha256 } from '../../lib/digest.js';

/** The chain ID of every layer of a rootfs, bottom first (same length as `diffIds`). */
export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  let previous: Digest | undefined;
  for (const diffId of diffIds) {
    previous = previous === undefined ? diffId : sha256(`${previous} ${diffId}`);
    out.push(previous);
  }
  return out;
}

/** The chain ID of the whole rootfs (its top layer), or undefined for an image without layers. */
export function topChainId(diffIds: readonly Digest[]): Digest | undefined {
  return chainIds(diffIds).at(-1);
}
