import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ContainerRecord, newState } from './model.js';
import { ContainerWaiters } from './waiters.js';

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

describe('ContainerWaiters.wait', () => {
  const rec = running(ID);
  const current = () => rec;

  it("rejects once its client's signal aborts (a `docker run -d` leaves its wait unread), for every condition", async () => {
    const waiters = new ContainerWaiters();
    for (const condition of ['not-running', 'next-exit', 'removed'] as const) {
      const gone = new AbortController();
      const waiting = waiters.wait(rec, condition, current, gone.signal);
      gone.abort(new Error('client gone'));
      await assert.rejects(waiting, /client gone/, condition);
    }
    // Nothing is left to notify: an exit and a removal now reach no one.
    waiters.exited(rec);
    waiters.removed(ID);
  });

  it('refuses at once with a signal already aborted', async () => {
    const gone = new AbortController();
    gone.abort(new Error('already gone'));
    await assert.rejects(new ContainerWaiters().wait(rec, 'next-exit', current, gone.signal), /already gone/);
  });

  it("answers next-exit with the exit's code and error, removed with the last exit code", async () => {
    const waiters = new ContainerWaiters();
    const exit = waiters.wait(rec, 'next-exit', current);
    const removal = waiters.wait(rec, 'removed', () => undefined);
    const exited = { ...rec, state: { ...rec.state, status: 'exited' as const, exitCode: 3, error: 'boom' } };
    waiters.exited(exited);
    assert.deepEqual(await exit, { StatusCode: 3, Error: { Message: 'boom' } });
    waiters.removed(ID);
    assert.deepEqual(await removal, { StatusCode: 3, Error: null });
  });
});
