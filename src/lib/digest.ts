// Content digests (`sha256:<64 hex>`, go-digest's rules and error texts) and short IDs. Images, layers and blobs are
// all named by these, so parsing is strict: a digest that passes here is safe to use as a file name.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { InvalidParameter, System } from '../errdefs/index.js';

/** Algorithms go-digest (and so Docker) recognises. Only sha256 is used to name new content. */
export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';
export type Digest = `${DigestAlgorithm}:${string}`;

export const CANONICAL_ALGORITHM: DigestAlgorithm = 'sha256';

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha384: 96, sha512: 128 };
const ENCODED = /^[a-f0-9]+$/;
// go-digest's DigestRegexp: what a digest of an unknown algorithm must look like before it is called "unsupported".
const ANY_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  encoded: string;
  digest: Digest;
}

const isAlgorithm = (a: string): a is DigestAlgorithm => Object.hasOwn(HEX_LENGTH, a);

/**
 * Validates a digest string the way go-digest's `Parse` does, with its messages: "invalid checksum digest format",
 * "invalid checksum digest length", "unsupported digest algorithm". Throws InvalidParameter.
 */
export function parseDigest(s: string): ParsedDigest {
  const i = s.indexOf(':');
  if (i <= 0 || i + 1 === s.length) throw new InvalidParameter('invalid checksum digest format');
  const algorithm = s.slice(0, i);
  const encoded = s.slice(i + 1);
  if (!isAlgorithm(algorithm)) {
    if (!ANY_DIGEST.test(s)) throw new InvalidParameter('invalid checksum digest format');
    throw new InvalidParameter('unsupported digest algorithm');
  }
  if (encoded.length !== HEX_LENGTH[algorithm]) throw new InvalidParameter('invalid checksum digest length');
  if (!ENCODED.test(encoded)) throw new InvalidParameter('invalid checksum digest format');
  return { algorithm, encoded, digest: s as Digest };
}

/** True when `s` is a well-formed digest of a recognised algorithm. */
export function isDigest(s: unknown): s is Digest {
  if (typeof s !== 'string') return false;
  try {
    parseDigest(s);
    return true;
  } catch {
    return false;
  }
}

/** Returns `s` typed as a Digest, or throws InvalidParameter. */
export function validateDigest(s: string): Digest {
  return parseDigest(s).digest;
}

/** The hex part of a digest (`sha256:abc…` → `abc…`). */
export function digestHex(d: Digest): string {
  return parseDigest(d).encoded;
}

/** Digest of in-memory data (strings are hashed as UTF-8). */
export function computeDigest(data: string | Uint8Array, algorithm: DigestAlgorithm = CANONICAL_ALGORITHM): Digest {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** `sha256:<hex>` of in-memory data. */
export function sha256(data: string | Uint8Array): Digest {
  return computeDigest(data, 'sha256');
}

/**
 * A pass-through stream that hashes what flows through it and counts the bytes. Put it in a pipeline; once the
 * pipeline has finished, `digest()` and `size` hold the result.
 */
export class DigestStream extends Transform {
  private readonly hash: Hash;
  private result: Digest | undefined;
  private bytes = 0;

  constructor(readonly algorithm: DigestAlgorithm = CANONICAL_ALGORITHM) {
    super();
    this.hash = createHash(algorithm);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.result = `${this.algorithm}:${this.hash.digest('hex')}`;
    callback();
  }

  /** Bytes seen so far (the total once the stream has ended). */
  get size(): number {
    return this.bytes;
  }

  /** True once the input has ended and the digest is known. */
  get done(): boolean {
    return this.result !== undefined;
  }

  /** The digest of everything that passed through; throws System if the input has not ended yet. */
  digest(): Digest {
    if (this.result === undefined) throw new System('digest requested before the stream ended');
    return this.result;
  }
}

/** Hashes a whole stream (or any async iterable of bytes) without keeping it in memory. */
export async function digestOfStream(
  source: AsyncIterable<Uint8Array | string>,
  algorithm: DigestAlgorithm = CANONICAL_ALGORITHM,
): Promise<{ digest: Digest; size: number }> {
  const hash = createHash(algorithm);
  let size = 0;
  for await (const chunk of source) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    hash.update(buf);
    size += buf.length;
  }
  return { digest: `${algorithm}:${hash.digest('hex')}`, size };
}

const SHORT_ID_LENGTH = 12;
const SHORT_ID = /^[a-f0-9]{12}$/;
const FULL_ID = /^[a-f0-9]{64}$/;

/**
 * Docker's `stringid.TruncateID`: drops an `algorithm:` prefix and keeps the first 12 characters
 * (`sha256:4e5f…` → `4e5f6a7b8c9d`).
 */
export function shortId(id: string): string {
  const i = id.indexOf(':');
  const hex = i >= 0 ? id.slice(i + 1) : id;
  return hex.slice(0, SHORT_ID_LENGTH);
}

/** True for a 12-hex short ID. */
export function isShortId(s: string): boolean {
  return SHORT_ID.test(s);
}

/** True for a full 64-hex ID (a sha256 digest without its prefix). */
export function isFullId(s: string): boolean {
  return FULL_ID.test(s);
}
