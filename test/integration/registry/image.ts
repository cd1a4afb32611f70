// Small OCI images for the registry tests: random-content tar layers (gzip), a config, a manifest, as in-memory
// blobs or written as an OCI image layout directory skopeo can copy.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface Blob {
  digest: string;
  bytes: Buffer;
  mediaType: string;
}

export interface TestImage {
  config: Blob;
  layers: Blob[];
  manifest: Blob;
}

export const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A one-file ustar archive (enough for a layer). */
export function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write(
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
    136,
  );
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

export const blobOf = (bytes: Buffer, mediaType: string): Blob => ({ digest: sha256(bytes), bytes, mediaType });

/** An image of `layerSizes.length` layers of random bytes (incompressible, so sizes stay as asked). */
export function makeImage(layerSizes: number[] = [4096], extra: Record<string, unknown> = {}): TestImage {
  const tars = layerSizes.map((n, i) => tarOf(`file${i}.bin`, randomBytes(n)));
  const layers = tars.map((t) => blobOf(gzipSync(t), 'application/vnd.oci.image.layer.v1.tar+gzip'));
  const config = blobOf(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {},
        rootfs: { type: 'layers', diff_ids: tars.map(sha256) },
      }),
    ),
    'application/vnd.oci.image.config.v1+json',
  );
  const desc = (b: Blob) => ({ mediaType: b.mediaType, digest: b.digest, size: b.bytes.length });
  const manifest = blobOf(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: desc(config),
        layers: layers.map(desc),
        ...extra,
      }),
    ),
    'application/vnd.oci.image.manifest.v1+json',
  );
  return { config, layers, manifest };
}

/** Writes `image` as an OCI image layout at `dir`, tagged `tag` (skopeo's `oci:DIR:TAG`). */
export async function writeOciLayout(dir: string, image: TestImage, tag: string): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const b of [image.config, ...image.layers, image.manifest])
    await writeFile(join(dir, 'blobs', 'sha256', b.digest.slice(7)), b.bytes);
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: image.manifest.mediaType,
        digest: image.manifest.digest,
        size: image.manifest.bytes.length,
        annotations: { 'org.opencontainers.image.ref.name': tag },
      },
    ],
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
}
