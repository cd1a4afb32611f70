import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import type { EventMessage } from '../api/index.js';
import { EventBus, eventMatches } from './events.js';

const CID = `4f66ad9a0b2e${'0'.repeat(52)}`;

describe('EventBus', () => {
  it("publishes Docker's event shape, with the legacy fields for containers and images", () => {
    const bus = new EventBus();
    const before = Date.now();
    const e = bus.publish('container', 'start', CID, { image: 'busybox', name: 'web' });
    assert.equal(e.Type, 'container');
    assert.equal(e.Action, 'start');
    assert.deepEqual(e.Actor, { ID: CID, Attributes: { image: 'busybox', name: 'web' } });
    assert.equal(e.scope, 'local');
    assert.equal(e.status, 'start');
    assert.equal(e.id, CID);
    assert.equal(e.from, 'busybox');
    assert.ok(e.time >= Math.floor(before / 1000) && e.time <= Math.ceil(Date.now() / 1000));
    assert.equal(Math.floor(e.timeNano / 1e9), e.time);
    const d = bus.publish('daemon', 'reload', 'daemon-id');
    assert.equal(d.status, undefined);
    assert.equal(d.id, undefined);
  });

  it('keeps a history, oldest first, for `since`', () => {
    mock.timers.enable({ apis: ['Date'], now: Date.parse('2024-06-01T12:00:00Z') });
    try {
      const bus = new EventBus();
      const a = bus.publish('container', 'create', CID);
      mock.timers.tick(1000);
      const b = bus.publish('container', 'start', CID);
      mock.timers.tick(1000);
      const c = bus.publish('container', 'die', CID);
      assert.equal(b.time, Date.parse('2024-06-01T12:00:01Z') / 1000);
      assert.deepEqual(bus.since(0), [a, b, c]);
      assert.deepEqual(bus.since(b.timeNano), [b, c]);
      assert.deepEqual(bus.since(c.timeNano + 1e6), []);
    } finally {
      mock.timers.reset();
    }
  });

  it('keeps the last 256 events', () => {
    const bus = new EventBus();
    for (let i = 0; i < 300; i++) bus.publish('container', `a${i}`, CID);
    const h = bus.since(0);
    assert.equal(h.length, 256);
    assert.equal(h[0]?.Action, 'a44');
    assert.equal(h.at(-1)?.Action, 'a299');
  });

  it('delivers to subscribers until they unsubscribe', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    const off = bus.subscribe((e) => seen.push(e.Action));
    bus.publish('container', 'create', CID);
    bus.publish('image', 'pull', 'busybox:latest');
    off();
    bus.publish('container', 'destroy', CID);
    assert.deepEqual(seen, ['create', 'pull']);
  });

  it('a subscriber that throws does not stop the others or the publisher', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('boom');
    });
    bus.subscribe((e) => seen.push(e.Action));
    assert.doesNotThrow(() => bus.publish('container', 'start', CID));
    assert.deepEqual(seen, ['start']);
  });
});

describe('eventMatches (moby daemon/events/filter.go)', () => {
  const bus = new EventBus();
  const start = bus.publish('container', 'start', CID, {
    image: 'nginx:1.25',
    name: 'web-1',
    'com.example.tier': 'front',
    team: 'a',
  });
  const health = bus.publish('container', 'health_status: healthy', CID, { image: 'nginx:1.25', name: 'web-1' });
  const pull = bus.publish('image', 'pull', 'nginx:1.25', { name: 'nginx' });
  const reload = bus.publish('daemon', 'reload', 'daemon-id');
  const all = [start, health, pull, reload];
  const matching = (filters: Record<string, string[]>) =>
    all.filter((e: EventMessage) => eventMatches(e, filters)).map((e) => `${e.Type}/${e.Action}`);

  it('no filters match everything; empty value lists are ignored', () => {
    assert.equal(matching({}).length, 4);
    assert.equal(matching({ type: [] }).length, 4);
  });

  it('type', () => {
    assert.deepEqual(matching({ type: ['image'] }), ['image/pull']);
    assert.deepEqual(matching({ type: ['image', 'daemon'] }), ['image/pull', 'daemon/reload']);
  });

  it('event matches the action; health_status also matches its "health_status: …" actions', () => {
    assert.deepEqual(matching({ event: ['start'] }), ['container/start']);
    assert.deepEqual(matching({ event: ['health_status'] }), ['container/health_status: healthy']);
    assert.deepEqual(matching({ event: ['health_status: healthy'] }), ['container/health_status: healthy']);
    assert.deepEqual(matching({ event: ['star'] }), []);
  });

  it('container matches an ID prefix or the name', () => {
    assert.deepEqual(matching({ container: ['4f66ad'] }), ['container/start', 'container/health_status: healthy']);
    assert.deepEqual(matching({ container: ['web-1'] }), ['container/start', 'container/health_status: healthy']);
    assert.deepEqual(matching({ container: ['redis'] }), []);
  });

  it('container also matches a name prefix (FuzzyMatch)', () => {
    assert.deepEqual(matching({ container: ['web'] }), ['container/start', 'container/health_status: healthy']);
  });

  it("image matches a container's image or an image event's name", () => {
    assert.deepEqual(matching({ image: ['nginx:1.25'] }), [
      'container/start',
      'container/health_status: healthy',
      'image/pull',
    ]);
    assert.deepEqual(matching({ image: ['redis'] }), []);
  });

  it('image without a tag matches the tagged image (moby strips the tag)', () => {
    assert.deepEqual(matching({ image: ['nginx'] }), [
      'container/start',
      'container/health_status: healthy',
      'image/pull',
    ]);
  });

  it('label: key or key=value against the attributes', () => {
    assert.deepEqual(matching({ label: ['team'] }), ['container/start']);
    assert.deepEqual(matching({ label: ['com.example.tier=front'] }), ['container/start']);
    assert.deepEqual(matching({ label: ['com.example.tier=back'] }), []);
  });

  it('several labels must all match (MatchKVList)', () => {
    assert.deepEqual(matching({ label: ['team=a', 'com.example.tier=front'] }), ['container/start']);
    assert.deepEqual(matching({ label: ['team=a', 'com.example.tier=back'] }), []);
  });

  it('different filters combine with AND', () => {
    assert.deepEqual(matching({ type: ['container'], event: ['start'], container: ['web-1'] }), ['container/start']);
    assert.deepEqual(matching({ type: ['image'], event: ['start'] }), []);
  });

  it('scope', () => {
    assert.equal(matching({ scope: ['local'] }).length, 4);
    assert.equal(matching({ scope: ['swarm'] }).length, 0);
  });
});
