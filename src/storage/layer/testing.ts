// Test helpers for the layer store's tests: real drivers on temp roots, what is mounted and what the driver holds.
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { DriverName, GraphDriver } from '../graphdriver/index.js';
import { Overlay2Driver, VfsDriver } from '../graphdriver/index.js';

export const DRIVERS: readonly DriverName[] = ['overlay2', 'vfs'];

export function openDriver(name: DriverName, root: string): Promise<GraphDriver> {
  return name === 'overlay2' ? Overlay2Driver.init(root) : VfsDriver.init(root);
}

export { mountsUnder } from '../graphdriver/testsuite.js';

/** The layer directories the driver holds under `root` (its own layout; test-only knowledge). */
export async function driverLayerIds(name: DriverName, root: string): Promise<string[]> {
  const dir = name === 'vfs' ? path.join(root, 'vfs', 'dir') : path.join(root, 'overlay2');
  return (await readdir(dir)).filter((n) => n !== 'l' && !n.startsWith('check-')).sort();
}

export async function readAll(s: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(parts);
}
