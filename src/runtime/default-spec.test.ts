// defaultSpec() must stay what the installed `runc spec` prints.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { defaultSpec } from './default-spec.js';

const run = promisify(execFile);

async function hasRunc(): Promise<boolean> {
  try {
    await run('runc', ['--version']);
    return true;
  } catch {
    return false;
  }
}

test('defaultSpec() equals the config.json `runc spec` writes', {
  skip: !(await hasRunc()) && 'runc not installed',
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-runc-spec-'));
  try {
    await run('runc', ['spec'], { cwd: dir });
    const fromRunc: unknown = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    assert.deepEqual(defaultSpec(), fromRunc);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('defaultSpec() returns a fresh object each time', () => {
  const a = defaultSpec();
  a.process?.capabilities?.bounding?.push('CAP_SYS_ADMIN');
  a.mounts?.pop();
  assert.deepEqual(defaultSpec().process?.capabilities?.bounding, [
    'CAP_AUDIT_WRITE',
    'CAP_KILL',
    'CAP_NET_BIND_SERVICE',
  ]);
  assert.equal(defaultSpec().mounts?.length, 7);
});
