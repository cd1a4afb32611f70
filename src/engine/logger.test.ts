import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Level, createLogger } from './logger.js';

function capture(level: Level) {
  const lines: string[] = [];
  const out = { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream;
  return { log: createLogger(level, out), lines };
}

describe('createLogger', () => {
  it("writes dockerd's logfmt lines: time, level, quoted msg", () => {
    const { log, lines } = capture('info');
    log.info('API listen on /run/berth/berth.sock');
    assert.equal(lines.length, 1);
    assert.match(
      lines[0] ?? '',
      /^time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z" level=info msg="API listen on \/run\/berth\/berth\.sock"\n$/,
    );
  });

  it('escapes quotes and newlines inside msg', () => {
    const { log, lines } = capture('debug');
    log.error('bad "thing"\nnext');
    assert.match(lines[0] ?? '', / level=error msg="bad \\"thing\\"\\nnext"\n$/);
  });

  it('spells warn as "warning", as logrus does', () => {
    const { log, lines } = capture('debug');
    log.warn('careful');
    assert.match(lines[0] ?? '', / level=warning msg="careful"\n$/);
  });

  it('drops messages below the level', () => {
    const { log, lines } = capture('warn');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    assert.deepEqual(
      lines.map((l) => /level=(\w+)/.exec(l)?.[1]),
      ['warning', 'error'],
    );
  });

  it('debug shows everything', () => {
    const { log, lines } = capture('debug');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    assert.equal(lines.length, 4);
  });

  it('fatal shows no ordinary messages', () => {
    const { log, lines } = capture('fatal');
    log.error('e');
    assert.deepEqual(lines, []);
  });
});
