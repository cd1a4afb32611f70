// `docker import`: one uncompressed-or-gzip rootfs tar becomes a one-layer image whose config is written as
// Docker's ImportImage writes it (Go's field order, the `--change` instructions applied to an empty config, the
// message as the comment and as the only history entry, created now, the host's platform unless one is given).
import { InvalidParameter } from '../../errdefs/index.js';
import type { Digest } from '../../lib/digest.js';
import { decompress, type LayerSource } from '../../archive/index.js';
import { parseNormalizedReference, type Reference, withDefaultTag } from '../reference.js';
import type { ImageStore } from '../store/index.js';
import type { Platform } from '../types.js';
import { applyChanges } from './changes.js';
import { goJson, goNow } from './gojson.js';
import type { LayerAccess } from './layers.js';
import { hostPlatform } from './plan.js';
import { goContainerConfig } from './v1.js';

export interface ImportOptions {
  /** Dockerfile instructions (`--change`): CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, ... */
  changes?: readonly string[];
  /** The comment; Docker's default is "Imported from <source>", `-` for stdin. */
  message?: string;
  /** Repository[:tag] to tag the image with (`latest` by default). */
  ref?: string | Reference;
  /** `os/arch[/variant]` or a Platform; the host's by default. Only linux images can be imported. */
  platform?: string | Pick<Platform, 'os' | 'architecture' | 'variant'>;
  /** Written as `docker_version` (Docker records its own version there); omitted when not given. */
  engineVersion?: string;
  /** The clock, for tests. */
  now?: () => Date;
}

export interface ImportDeps {
  images: ImageStore;
  layers: LayerAccess;
}

function platformOf(p: ImportOptions['platform']): { os: string; architecture: string; variant?: string } {
  if (p === undefined) return hostPlatform();
  const parsed =
    typeof p === 'string'
      ? (() => {
          const [os = '', architecture = '', variant, extra] = p.split('/');
          if (os === '' || extra !== undefined) throw new InvalidParameter(`invalid platform ${JSON.stringify(p)}`);
          return { os, architecture: architecture || hostPlatform().architecture, variant };
        })()
      : p;
  if (parsed.os !== 'linux') throw new InvalidParameter(`unsupported os ${parsed.os}`);
  const out: { os: string; architecture: string; variant?: string } = {
    os: parsed.os,
    architecture: parsed.architecture,
  };
  if (parsed.variant) out.variant = parsed.variant;
  return out;
}

/** Imports a rootfs tar as a new image and returns its ID (tagging it when `ref` is given). */
export async function importImage(
  rootfsTar: LayerSource,
  opts: ImportOptions,
  deps: ImportDeps,
): Promise<{ id: Digest }> {
  // Everything that can be refused is checked before the layer is registered.
  const ref =
    opts.ref === undefined
      ? undefined
      : withDefaultTag(typeof opts.ref === 'string' ? parseNormalizedReference(opts.ref) : opts.ref);
  if (ref?.digest) throw new InvalidParameter('cannot import digest reference');
  const config = applyChanges(opts.changes ?? []);
  const platform = platformOf(opts.platform);
  const message = opts.message ?? 'Imported from -';

  const { stream } = await decompress(rootfsTar);
  const layer = await deps.layers.register(stream);
  const created = goNow(opts.now?.() ?? new Date());
  // image.Image as Go marshals it: V1Image's fields first (comment, created, container_config, docker_version,
  // config, architecture, variant, os), then rootfs and history.
  const image: Record<string, unknown> = {};
  if (message !== '') image.comment = message;
  image.created = created;
  image.container_config = goContainerConfig(undefined);
  if (opts.engineVersion) image.docker_version = opts.engineVersion;
  image.config = goContainerConfig(config);
  image.architecture = platform.architecture;
  if (platform.variant) image.variant = platform.variant;
  image.os = platform.os;
  image.rootfs = { type: 'layers', diff_ids: [layer.diffId] };
  image.history = [message !== '' ? { created, comment: message } : { created }];
  const id = await deps.images.put(goJson(image));
  if (ref) await deps.images.tag(id, ref);
  return { id };
}
