// Helpers for the image tests: save/load to and from files, an image's layers mounted as a container rootfs, and a
// container run in a rootfs with berth's runtime, its output read back from the json-file log.
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type LoadResult, loadImages, saveImages } from '../../../src/image/archive/index.js';
import { topChainId } from '../../../src/image/store/index.js';
import type { ImageStack } from '../../fixtures/images.js';
import type { RuntimeHarness } from '../runtime/harness.js';

/** `docker save -o path names...` with berth. */
export async function saveTo(stack: ImageStack, names: string[], path: string): Promise<void> {
  await pipeline(
    saveImages(names, { images: stack.images, layers: stack.layers, content: stack.content, tmpDir: stack.tmpDir }),
    createWriteStream(path),
  );
}

/** `docker load -i path` with berth. */
export function loadFrom(stack: ImageStack, path: string): Promise<LoadResult> {
  return loadImages(createReadStream(path), { images: stack.images, layers: stack.layers, tmpDir: stack.tmpDir });
}

export interface MountedImage {
  path: string;
  /** Unmounts and removes the read-write layer. */
  release(): Promise<void>;
}

/** A read-write layer on the image's top layer, mounted (what a container's rootfs is). */
export async function mountImage(stack: ImageStack, imageId: string, containerId: string): Promise<MountedImage> {
  const image = stack.images.get(imageId);
  await stack.layerStore.createRW(containerId, topChainId(image.config.rootfs.diff_ids));
  let path: string;
  try {
    path = await stack.layerStore.mount(containerId);
  } catch (e) {
    await stack.layerStore.removeRW(containerId);
    throw e;
  }
  return {
    path,
    async release() {
      await stack.layerStore.unmount(containerId);
      await stack.layerStore.removeRW(containerId);
    },
  };
}

export interface ContainerOutput {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

/** Runs `args` in a container whose root is `rootfs` (writable), with berth's in-process runtime. */
export async function runIn(h: RuntimeHarness, id: string, rootfs: string, args: string[]): Promise<ContainerOutput> {
  const b = await h.bundle({
    args,
    mutate: (spec) => {
      spec.root = { path: rootfs, readonly: false };
    },
  });
  const rt = await h.runtime();
  const log = join(b.dir, 'log.json');
  await rt.create(id, b.dir, { stdio: { log: { path: log, maxSize: 0, maxFiles: 1 } } });
  try {
    await rt.start(id);
    const status = await rt.wait(id);
    const lines = (await readFile(log, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { log: string; stream: string });
    const text = (stream: string) =>
      lines
        .filter((l) => l.stream === stream)
        .map((l) => l.log)
        .join('');
    return { exitCode: status?.exitCode, stdout: text('stdout'), stderr: text('stderr') };
  } finally {
    await rt.delete(id, true);
    await b.cleanup();
  }
}
