import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidParameter } from '../../errdefs/index.js';
import { generateName, validateName } from './names.js';

describe('validateName', () => {
  it('accepts Docker-valid names and drops a leading slash', () => {
    assert.equal(validateName('web'), 'web');
    assert.equal(validateName('/web'), 'web');
    assert.equal(validateName('my-app_1.0'), 'my-app_1.0');
    assert.equal(validateName('0ab'), '0ab');
  });

  for (const bad of ['a', '/a', '-web', '.web', '_web', 'web app', 'web/app', 'wéb', '']) {
    it(`refuses ${JSON.stringify(bad)} with Docker's message`, () => {
      assert.throws(
        () => validateName(bad),
        (e: unknown) =>
          e instanceof InvalidParameter &&
          e.message === `Invalid container name (${bad}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
      );
    });
  }
});

describe('generateName', () => {
  it('gives adjective_surname names that are themselves valid', () => {
    for (let i = 0; i < 200; i++) {
      const name = generateName();
      assert.match(name, /^[a-z]+_[a-z]+$/);
      assert.equal(validateName(name), name);
    }
  });

  it('appends one digit on a retry after a collision', () => {
    for (let i = 0; i < 50; i++) assert.match(generateName(1), /^[a-z]+_[a-z]+[0-9]$/);
  });

  it('never generates boring_wozniak (Steve Wozniak is not boring)', () => {
    // ~13 000 combinations: 100 000 draws would hit it with near certainty if it were possible.
    for (let i = 0; i < 100_000; i++) assert.notEqual(generateName(), 'boring_wozniak');
  });
});
