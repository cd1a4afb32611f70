// Where everything lives under the registry's root directory (distribution's layout, flattened):
//   blobs/<alg>/<xx>/<hex>                                  content, named by its digest
//   repositories/<name>/_manifests/tags/<tag>               the digest the tag points at
//   repositories/<name>/_manifests/revisions/<alg>/<hex>    a manifest of this repository (JSON: its media type)
//   repositories/<name>/_layers/<alg>/<hex>                 a blob this repository may serve
//   repositories/<name>/_referrers/<alg>/<hex>/<alg>-<hex>  a manifest whose subject is <alg>/<hex> (its descriptor)
//   repositories/<name>/_uploads/<uuid>                     an upload in progress (invisible until verified)
import { join } from 'node:path';
import { type Digest, parseDigest } from '../../lib/digest.js';

export class Layout {
  constructor(readonly root: string) {}

  get blobsDir(): string {
    return join(this.root, 'blobs');
  }
  get reposDir(): string {
    return join(this.root, 'repositories');
  }
  /** Scratch space for pull-through downloads, on the same filesystem as blobs/ so a rename publishes. */
  get tmpDir(): string {
    return join(this.root, 'tmp');
  }

  blob(d: Digest): string {
    const { algorithm, encoded } = parseDigest(d);
    return join(this.root, 'blobs', algorithm, encoded.slice(0, 2), encoded);
  }
  repo(name: string): string {
    return join(this.root, 'repositories', name);
  }
  tagsDir(name: string): string {
    return join(this.repo(name), '_manifests', 'tags');
  }
  tag(name: string, tag: string): string {
    return join(this.tagsDir(name), tag);
  }
  revisionsDir(name: string): string {
    return join(this.repo(name), '_manifests', 'revisions');
  }
  revision(name: string, d: Digest): string {
    const { algorithm, encoded } = parseDigest(d);
    return join(this.revisionsDir(name), algorithm, encoded);
  }
  layersDir(name: string): string {
    return join(this.repo(name), '_layers');
  }
  layer(name: string, d: Digest): string {
    const { algorithm, encoded } = parseDigest(d);
    return join(this.layersDir(name), algorithm, encoded);
  }
  referrersDir(name: string, subject: Digest): string {
    const { algorithm, encoded } = parseDigest(subject);
    return join(this.repo(name), '_referrers', algorithm, encoded);
  }
  referrer(name: string, subject: Digest, d: Digest): string {
    const { algorithm, encoded } = parseDigest(d);
    return join(this.referrersDir(name, subject), `${algorithm}-${encoded}`);
  }
  uploadsDir(name: string): string {
    return join(this.repo(name), '_uploads');
  }
  upload(name: string, uuid: string): string {
    return join(this.uploadsDir(name), uuid);
  }
}
