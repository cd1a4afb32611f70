import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidParameter } from '../../errdefs/index.js';
import { parseSecurityOpts } from './security-opts.js';

describe('parseSecurityOpts (moby parseSecurityOpt)', () => {
  it('no-new-privileges bare, =bool and :bool (Go ParseBool)', () => {
    assert.equal(parseSecurityOpts([]).noNewPrivileges, false);
    for (const o of ['no-new-privileges', 'no-new-privileges=true', 'no-new-privileges:1', 'no-new-privileges=T']) {
      assert.equal(parseSecurityOpts([o]).noNewPrivileges, true, o);
    }
    assert.equal(parseSecurityOpts(['no-new-privileges', 'no-new-privileges=false']).noNewPrivileges, false);
  });

  it('seccomp, apparmor and label values', () => {
    const o = parseSecurityOpts(['seccomp=unconfined', 'apparmor=x', 'label=disable', 'seccomp={"a":"b=c"}']);
    assert.deepEqual(o, { noNewPrivileges: false, seccomp: '{"a":"b=c"}', apparmor: 'x', labels: ['disable'] });
  });

  it("refuses the rest with moby's messages", () => {
    assert.throws(() => parseSecurityOpts(['bogus']), {
      name: InvalidParameter.name,
      message: 'invalid --security-opt 1: "bogus"',
    });
    assert.throws(() => parseSecurityOpts(['no-new-privileges=bogus']), {
      message: 'invalid --security-opt 2: "no-new-privileges=bogus"',
    });
    assert.throws(() => parseSecurityOpts(['foo=bar']), { message: 'invalid --security-opt 2: "foo=bar"' });
  });
});
