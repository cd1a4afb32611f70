import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidParameter } from '../../errdefs/index.js';
import { parseGoDuration } from './go-time.js';
import { parseLogTime } from './log-time.js';

const S = 1_000_000_000n;
const NOW = new Date('2026-11-23T15:30:00.750Z');
const NOW_S = BigInt(NOW.getTime() / 1000 - 0.75);
/** The local zone's offset at NOW, in seconds east of UTC (zone-less times are read in it). */
const LOCAL = BigInt(-NOW.getTimezoneOffset() * 60);

const rejects = (value: string, message: string | RegExp) =>
  assert.throws(
    () => parseLogTime(value, NOW),
    (e: unknown) =>
      isInvalidParameter(e) && (typeof message === 'string' ? e.message === message : message.test(e.message)),
  );

test('unix seconds, with an optional fraction of any precision', () => {
  assert.equal(parseLogTime('1700000000', NOW), 1_700_000_000n * S);
  assert.equal(parseLogTime('1700000000.000000001', NOW), 1_700_000_000n * S + 1n);
  assert.equal(parseLogTime('1700000000.5', NOW), 1_700_000_000n * S + 500_000_000n);
  assert.equal(parseLogTime('1700000000.123', NOW), 1_700_000_000n * S + 123_000_000n);
  assert.equal(parseLogTime('1700000000.1234567891', NOW), 1_700_000_000n * S + 123_456_789n);
  assert.equal(parseLogTime('0', NOW), 0n, '"0" is a timestamp, not a zero duration');
});

test('RFC 3339 times with a zone', () => {
  assert.equal(parseLogTime('2026-11-23T15:30:00Z', NOW), 1_795_447_800n * S);
  assert.equal(parseLogTime('2026-11-23T15:30:00.5+01:00', NOW), (1_795_447_800n - 3600n) * S + 500_000_000n);
  assert.equal(parseLogTime('2026-11-23T15:30:00.123456789Z', NOW), 1_795_447_800n * S + 123_456_789n);
  assert.equal(parseLogTime('2026-11-23T15:30:00-05:30', NOW), (1_795_447_800n + 5n * 3600n + 1800n) * S);
  assert.equal(parseLogTime('2026-11-23T15:30Z', NOW), 1_795_447_800n * S);
  assert.equal(parseLogTime('2026-11-23T15Z', NOW), (1_795_447_800n - 1800n) * S);
  assert.equal(parseLogTime('2026-11-23Z', NOW), (1_795_447_800n - 15n * 3600n - 1800n) * S);
  assert.equal(parseLogTime('2024-02-29T00:00:00Z', NOW), 1_709_164_800n * S);
  assert.equal(parseLogTime('1969-12-31T23:59:59Z', NOW), -1n * S);
});

test('RFC 3339 times without a zone are local', () => {
  assert.equal(parseLogTime('2026-11-23T15:30:00', NOW), (1_795_447_800n - LOCAL) * S);
  assert.equal(parseLogTime('2026-11-23T15:30:00.25', NOW), (1_795_447_800n - LOCAL) * S + 250_000_000n);
  assert.equal(parseLogTime('2026-11-23T15:30', NOW), (1_795_447_800n - LOCAL) * S);
  assert.equal(parseLogTime('2026-11-23', NOW), (1_795_392_000n - LOCAL) * S);
});

test('Go durations are that long before now, in whole seconds as Docker sends them', () => {
  assert.equal(parseLogTime('10m', NOW), (NOW_S - 600n) * S);
  assert.equal(parseLogTime('1h30m', NOW), (NOW_S - 5400n) * S);
  assert.equal(parseLogTime('1.5h', NOW), (NOW_S - 5400n) * S);
  assert.equal(parseLogTime('500ms', NOW), NOW_S * S, 'now - 0.5 s, floored, is the current second');
  assert.equal(parseLogTime('751ms', NOW), (NOW_S - 1n) * S);
  assert.equal(parseLogTime('-10s', NOW), (NOW_S + 10n) * S);
  assert.equal(parseLogTime('0s', NOW), NOW_S * S);
});

test("bad values are InvalidParameter with Docker's messages", () => {
  rejects('garbage', 'failed to parse value as time or duration: "garbage"');
  rejects('', 'failed to parse value as time or duration: ""');
  rejects('1700000000.', 'failed to parse value as time or duration: "1700000000."');
  rejects('10x', 'failed to parse value as time or duration: "10x"');
  rejects('99999999999999999999', /^failed to parse value as time or duration/);
  rejects('2026-13-01', 'parsing time "2026-13-01": month out of range');
  rejects('2026-02-30T00:00:00Z', 'parsing time "2026-02-30T00:00:00Z": day out of range');
  rejects('2026-11-23T25:00:00Z', 'parsing time "2026-11-23T25:00:00Z": hour out of range');
  rejects('2026-11-23 15:30:00', 'parsing time "2026-11-23 15:30:00": extra text: " 15:30:00"');
  rejects('2026-1-23', 'parsing time "2026-1-23" as "2006-01-02": cannot parse "1-23" as "01"');
  rejects(
    '2026-11-23T15:30:00+0100',
    // Docker picks the layout by counting colons, one of them taken to be the zone's.
    'parsing time "2026-11-23T15:30:00+0100" as "2006-01-02T15:04Z07:00": cannot parse ":00+0100" as "Z07:00"',
  );
});

test('Go durations parse as time.ParseDuration does', () => {
  assert.equal(parseGoDuration('1h30m'), 5_400n * S);
  assert.equal(parseGoDuration('1.5h'), 5_400n * S);
  assert.equal(parseGoDuration('.5s'), S / 2n);
  assert.equal(parseGoDuration('1us'), 1000n);
  assert.equal(parseGoDuration('1µs'), 1000n);
  assert.equal(parseGoDuration('-2m3.5s'), -123_500_000_000n);
  assert.equal(parseGoDuration('0'), 0n);
  assert.throws(() => parseGoDuration('10'), /^Error: time: missing unit in duration "10"$/);
  assert.throws(() => parseGoDuration('10d'), /^Error: time: unknown unit "d" in duration "10d"$/);
  assert.throws(() => parseGoDuration('.s'), /^Error: time: invalid duration ".s"$/);
  assert.throws(() => parseGoDuration('9999999999999h'), /invalid duration/);
});
