import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goDuration, goHealthcheck } from './history.js';

test("HEALTHCHECK's history comment is Go's %q of the config, as moby writes it", () => {
  assert.equal(
    goHealthcheck({ Test: ['CMD-SHELL', 'true'], Interval: 5e9, Timeout: 2e9, Retries: 4 }),
    `&{["CMD-SHELL" "true"] "5s" "2s" "0s" '\\x04'}`,
  );
  assert.equal(goHealthcheck({ Test: ['NONE'] }), `&{["NONE"] "0s" "0s" "0s" '\\x00'}`);
  assert.equal(goHealthcheck({ Test: ['CMD', 'x'], Retries: 65 }), `&{["CMD" "x"] "0s" "0s" "0s" 'A'}`);
});

test('durations print as Go prints them', () => {
  assert.equal(goDuration(90e9), '1m30s');
  assert.equal(goDuration(1.5e9), '1.5s');
  assert.equal(goDuration(500e6), '500ms');
  assert.equal(goDuration(3600e9), '1h0m0s');
});
