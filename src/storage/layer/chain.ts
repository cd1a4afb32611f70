// Chain IDs (OCI image-spec): chainID(L0) = diffID(L0); chainID(Ln) = sha256(chainID(Ln-1) + " " + diffID(Ln)).
// The same rule as src/image/store/chain-id.ts, kept here so storage does not depend on image (leaves share data).
import { type Digest, parseDigest, sha256 } from '../../lib/digest.js';
import { InvalidParameter } from '../../errdefs/index.js';

export function chainIdOf(parent: Digest | undefined, diffId: Digest): Digest {
  return parent === undefined ? diffId : sha256(`${parent} ${diffId}`);
}

/** Validates a chain ID argument (layers are named by sha256 only). */
export function checkChainId(s: string): Digest {
  const d = parseDigest(s);
  if (d.algorithm !== 'sha256') throw new InvalidParameter(`invalid chain ID ${JSON.stringify(s)}: not sha256`);
  return d.digest;
}
