// The child process of crash.test.ts: opens the image stack at argv[2] and loads the archive it reads on stdin,
// printing `at <step>` after each step; when BERTH_CRASH_PAUSE names a step it prints `paused <step>` and waits there
// to be killed. Steps: `open <driver>`, `register:<n>` (the n-th layer registered), `config-blob` (the config is in
// the content store, its image record not yet written), `put` (the image record), `tag`, `done`.
import { loadImages } from '../../../src/image/archive/index.js';
import { openImageStack } from '../../fixtures/images.js';

const PAUSE = process.env.BERTH_CRASH_PAUSE ?? '';

async function step(name: string): Promise<void> {
  process.stdout.write(`at ${name}\n`);
  if (name !== PAUSE && !name.startsWith(`${PAUSE} `)) return;
  process.stdout.write(`paused ${name}\n`);
  // An interval keeps the event loop (and so the process) alive until the parent kills it.
  setInterval(() => undefined, 1 << 30);
  await new Promise<never>(() => undefined);
}

async function main(root: string): Promise<void> {
  const stack = await openImageStack(root);
  await step(`open ${stack.layerStore.driver.name}`);

  const register = stack.layerStore.register.bind(stack.layerStore);
  let registered = 0;
  stack.layerStore.register = async (...args: Parameters<typeof register>) => {
    const r = await register(...args);
    await step(`register:${++registered}`);
    return r;
  };
  // A whole image's layers normally go in through registerChain, committed together at its end: report each.
  const registerChain = stack.layerStore.registerChain.bind(stack.layerStore);
  stack.layerStore.registerChain = async (...args: Parameters<typeof registerChain>) => {
    const results = await registerChain(...args);
    for (const _ of results) await step(`register:${++registered}`);
    return results;
  };
  // To stop between two layers' commits, load through the layer-by-layer path (no registerChain) instead.
  const layers = PAUSE.startsWith('register:')
    ? {
        register: stack.layerStore.register.bind(stack.layerStore),
        layerTar: stack.layerStore.layerTar.bind(stack.layerStore),
        has: stack.layerStore.has.bind(stack.layerStore),
      }
    : stack.layers;
  // The image store keeps this same content store: its put is the first half of ImageStore.put.
  const putBlob = stack.content.put.bind(stack.content);
  stack.content.put = async (...args: Parameters<typeof putBlob>) => {
    const r = await putBlob(...args);
    await step('config-blob');
    return r;
  };
  const put = stack.images.put.bind(stack.images);
  stack.images.put = async (...args: Parameters<typeof put>) => {
    const r = await put(...args);
    await step('put');
    return r;
  };
  const tag = stack.images.tag.bind(stack.images);
  stack.images.tag = async (...args: Parameters<typeof tag>) => {
    const r = await tag(...args);
    await step('tag');
    return r;
  };

  const result = await loadImages(process.stdin, { images: stack.images, layers, tmpDir: stack.tmpDir });
  await stack.close();
  await step(`done ${JSON.stringify(result.ids)}`);
}

// Only when spawned with a root (a test runner importing this file does nothing).
const root = process.argv[2];
if (root !== undefined && process.env.BERTH_CRASH_CHILD === '1') {
  main(root).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
