// Plain-HTTP pushes for the conformance tests: blobs (monolithic) and manifests, with optional auth headers.
import assert from 'node:assert/strict';
import type { Blob, TestImage } from './image.js';
import { req } from './sandbox.js';

export async function pushBlob(
  base: string,
  repo: string,
  blob: Blob,
  headers: Record<string, string> = {},
): Promise<void> {
  const res = await req(`${base}/v2/${repo}/blobs/uploads/?digest=${blob.digest}`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/octet-stream' },
    body: Uint8Array.from(blob.bytes),
  });
  assert.equal(res.status, 201, await res.text());
}

export async function pushManifest(
  base: string,
  repo: string,
  ref: string,
  m: Blob,
  headers: Record<string, string> = {},
): Promise<Response> {
  return req(`${base}/v2/${repo}/manifests/${ref}`, {
    method: 'PUT',
    headers: { ...headers, 'Content-Type': m.mediaType },
    body: Uint8Array.from(m.bytes),
  });
}

export async function pushImage(
  base: string,
  repo: string,
  tag: string,
  image: TestImage,
  headers: Record<string, string> = {},
): Promise<void> {
  for (const b of [image.config, ...image.layers]) await pushBlob(base, repo, b, headers);
  const res = await pushManifest(base, repo, tag, image.manifest, headers);
  assert.equal(res.status, 201, await res.text());
}

/** The first error of a registry error body. */
export async function errorOf(res: Response): Promise<{ code: string; message: string; detail?: unknown }> {
  const body = (await res.json()) as { errors: Array<{ code: string; message: string; detail?: unknown }> };
  assert.ok(Array.isArray(body.errors) && body.errors[0], JSON.stringify(body));
  return body.errors[0];
}
