import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ContainerDeps } from './deps.js';
import { ContainerLifecycle } from './lifecycle.js';
import { type ContainerRecord, newState } from './model.js';
import { ContainerStore } from './store.js';

const ID = `abc1${'0'.repeat(60)}`;

function running(id: string): ContainerRecord {
  return {
    id,
    name: 'waited-on',
    created: '2024-01-01T00:00:00Z',
    image: `sha256:${'f'.repeat(64)}`,
    imageRef: 'busybox',
    path: 'sleep',
    args: ['60'],
    config: { Image: 'busybox' },
    hostConfig: {},
    mounts: [],
    state: { ...newState(), status: 'running', pid: 1 },
    restartCount: 0,
    manuallyStopped: false,
    hasBeenStarted: true,
    driver: 'vfs',
  };
}

/** Deps with the real store; any other dependency, touched, fails the test (wait needs none of them). */
function depsWith(store: ContainerStore): ContainerDeps {
  return new Proxy({ store } as ContainerDeps, {
    get(target, key) {
      if (key === 'store') return target.store;
      throw new Error(`wait used deps.${String(key)}`);
    },
  });
}

describe('ContainerLifecycle.wait', () => {
  let dir: string;
  let lifecycle: ContainerLifecycle;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-wait-'));
    const { store } = await ContainerStore.open(join(dir, 'containers'));
    await store.save(running(ID));
    lifecycle = new ContainerLifecycle(depsWith(store));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("rejects once its client's signal aborts (a `docker run -d` leaves its wait unread), for every condition", async () => {
    for (const condition of ['not-running', 'next-exit', 'removed'] as const) {
      const gone = new AbortController();
      const waiting = lifecycle.wait(ID, condition, gone.signal);
      gone.abort(new Error('client gone'));
      await assert.rejects(waiting, /client gone/, condition);
    }
  });

  it('refuses at once with a signal already aborted', async () => {
    const gone = new AbortController();
    gone.abort(new Error('already gone'));
    await assert.rejects(lifecycle.wait(ID, 'next-exit', gone.signal), /already gone/);
  });
});
