import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidParameter, NotFound } from '../../errdefs/index.js';
import { type ListOptions, listContainers } from './list.js';
import { type ContainerRecord, type ContainerStatus, newState } from './model.js';
import { ContainerStore } from './store.js';

interface Spec {
  n: number;
  name: string;
  status: ContainerStatus;
  exitCode?: number;
  labels?: Record<string, string>;
  imageRef?: string;
  health?: string;
}

/** Created one second apart, in this order: `docker ps` lists them the other way round. */
const SPECS: Spec[] = [
  { n: 1, name: 'first', status: 'exited', exitCode: 0, labels: { env: 'prod' } },
  { n: 2, name: 'second', status: 'running', labels: { env: 'dev', team: 'a' } },
  { n: 3, name: 'third', status: 'exited', exitCode: 3, labels: { env: 'prod', team: 'b' } },
  { n: 4, name: 'fourth', status: 'created' },
  { n: 5, name: 'web-front', status: 'running', imageRef: 'nginx', health: 'healthy' },
  { n: 6, name: 'sleepy', status: 'paused' },
];

const id = (n: number) => String(n).repeat(64);

function record(s: Spec): ContainerRecord {
  const created = new Date(Date.UTC(2024, 0, 1, 0, 0, s.n)).toISOString();
  const state = { ...newState(), status: s.status, exitCode: s.exitCode ?? 0 };
  if (s.status !== 'created') state.startedAt = created;
  if (s.status === 'exited') state.finishedAt = created;
  if (s.health) state.health = { Status: s.health, FailingStreak: 0, Log: [] };
  return {
    id: id(s.n),
    name: s.name,
    created,
    image: `sha256:${String(s.n).repeat(64)}`,
    imageRef: s.imageRef ?? 'busybox',
    path: 'sh',
    args: [],
    config: { Labels: s.labels ?? {} },
    hostConfig: {},
    mounts: [],
    state,
    restartCount: 0,
    manuallyStopped: false,
    hasBeenStarted: s.status !== 'created',
    driver: 'vfs',
  };
}

describe('listContainers (moby daemon/list.go)', () => {
  let dir: string;
  let store: ContainerStore;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-list-'));
    ({ store } = await ContainerStore.open(dir));
    // Saved out of order: the listing must not depend on it.
    for (const s of [SPECS[3], SPECS[0], SPECS[5], SPECS[1], SPECS[4], SPECS[2]] as Spec[]) {
      store.reserveName(s.name, id(s.n));
      await store.save(record(s));
    }
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const names = (opts: ListOptions) =>
    listContainers(store, (rec, ref) => rec.imageRef === ref, opts).map((c) => c.Names[0]?.slice(1));

  it('lists running (and paused) containers, newest first', () => {
    assert.deepEqual(names({}), ['sleepy', 'web-front', 'second']);
  });

  it('lists every container with all, newest first', () => {
    assert.deepEqual(names({ all: true }), ['sleepy', 'web-front', 'fourth', 'third', 'second', 'first']);
  });

  it('a limit counts stopped containers too', () => {
    assert.deepEqual(names({ limit: 3 }), ['sleepy', 'web-front', 'fourth']);
  });

  it('status filter (and it implies all)', () => {
    assert.deepEqual(names({ filters: { status: ['exited'] } }), ['third', 'first']);
    assert.deepEqual(names({ filters: { status: ['created', 'paused'] } }), ['sleepy', 'fourth']);
    assert.deepEqual(names({ filters: { status: ['dead'] } }), []);
  });

  it('refuses an unknown status', () => {
    assert.throws(
      () => names({ filters: { status: ['sleeping'] } }),
      (e: unknown) => e instanceof InvalidParameter && e.message === "invalid filter 'status=sleeping'",
    );
  });

  it('refuses an unknown filter', () => {
    assert.throws(
      () => names({ filters: { colour: ['red'] } }),
      (e: unknown) => e instanceof InvalidParameter && e.message === "invalid filter 'colour'",
    );
  });

  it('name filter is a regular expression matched with and without the leading slash', () => {
    assert.deepEqual(names({ all: true, filters: { name: ['front'] } }), ['web-front']);
    assert.deepEqual(names({ all: true, filters: { name: ['^second$'] } }), ['second']);
    assert.deepEqual(names({ all: true, filters: { name: ['^/second$'] } }), ['second']);
    assert.deepEqual(names({ all: true, filters: { name: ['/third'] } }), ['third']);
    assert.deepEqual(names({ all: true, filters: { name: ['^f', 'd$'] } }), ['fourth', 'third', 'second', 'first']);
  });

  it('a name filter that is not a valid regular expression matches nothing', () => {
    assert.deepEqual(names({ all: true, filters: { name: ['['] } }), []);
  });

  it('label filters must all match; a bare key matches any value', () => {
    assert.deepEqual(names({ all: true, filters: { label: ['env=prod'] } }), ['third', 'first']);
    assert.deepEqual(names({ all: true, filters: { label: ['team'] } }), ['third', 'second']);
    assert.deepEqual(names({ all: true, filters: { label: ['env=prod', 'team'] } }), ['third']);
    assert.deepEqual(names({ all: true, filters: { label: ['env=staging'] } }), []);
  });

  it('exited filter matches stopped containers by exit code (with all)', () => {
    assert.deepEqual(names({ all: true, filters: { exited: ['3'] } }), ['third']);
    // A created container also has exit code 0, but it never ran.
    assert.deepEqual(names({ all: true, filters: { exited: ['0'] } }), ['first']);
    assert.deepEqual(names({ all: true, filters: { exited: ['0', '3'] } }), ['third', 'first']);
  });

  it('exited does not imply all, unlike status (as moby)', () => {
    assert.deepEqual(names({ filters: { exited: ['3'] } }), []);
  });

  it('id filter matches an ID prefix', () => {
    assert.deepEqual(names({ all: true, filters: { id: ['333'] } }), ['third']);
    assert.deepEqual(names({ all: true, filters: { id: [id(5)] } }), ['web-front']);
    assert.deepEqual(names({ all: true, filters: { id: ['9'] } }), []);
  });

  it('before and since take a name or an ID', () => {
    assert.deepEqual(names({ all: true, filters: { before: ['third'] } }), ['second', 'first']);
    assert.deepEqual(names({ all: true, filters: { since: [id(4).slice(0, 12)] } }), ['sleepy', 'web-front']);
    assert.deepEqual(names({ all: true, filters: { since: ['first'], before: ['fourth'] } }), ['third', 'second']);
  });

  it('before/since a container that does not exist is an error', () => {
    assert.throws(() => names({ filters: { before: ['nope'] } }), NotFound);
    assert.throws(() => names({ filters: { since: ['nope'] } }), NotFound);
  });

  it('ancestor filter asks the image matcher', () => {
    assert.deepEqual(names({ all: true, filters: { ancestor: ['nginx'] } }), ['web-front']);
    assert.deepEqual(names({ all: true, filters: { ancestor: ['redis'] } }), []);
  });

  it('health filter, with "none" for containers without a health check', () => {
    assert.deepEqual(names({ filters: { health: ['healthy'] } }), ['web-front']);
    assert.deepEqual(names({ filters: { health: ['none'] } }), ['sleepy', 'second']);
  });

  it('refuses an unknown health value', () => {
    assert.throws(
      () => names({ filters: { health: ['poorly'] } }),
      (e: unknown) => e instanceof InvalidParameter && e.message === 'Unrecognised filter value for health: poorly',
    );
  });

  it('filters combine', () => {
    assert.deepEqual(names({ filters: { status: ['exited'], label: ['team=b'] } }), ['third']);
  });
});
