import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidParameter } from '../errdefs/index.js';
import {
  familiarName,
  familiarString,
  fullName,
  isDigestOnly,
  isNameOnly,
  isValidTag,
  parseAnyReference,
  parseCanonicalReference,
  parseDockerRef,
  parseNormalizedReference,
  parseReference,
  parseRepositoryTag,
  type Reference,
  referenceString,
  repoTagReference,
  trimNamed,
  withDefaultTag,
  withDigest,
  withTag,
} from './reference.js';

const H = '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a';
const D = `sha256:${H}` as const;

function rejects(fn: () => unknown, message: string | RegExp, label?: string): void {
  assert.throws(
    fn,
    (e: unknown) =>
      isInvalidParameter(e) && (typeof message === 'string' ? e.message === message : message.test(e.message)),
    label,
  );
}

test('normalises familiar names to docker.io and library/', () => {
  const cases: [string, Reference, string, string][] = [
    // input, parsed, canonical string, familiar string
    ['busybox', { domain: 'docker.io', path: 'library/busybox' }, 'docker.io/library/busybox', 'busybox'],
    [
      'busybox:1.36',
      { domain: 'docker.io', path: 'library/busybox', tag: '1.36' },
      'docker.io/library/busybox:1.36',
      'busybox:1.36',
    ],
    ['user/repo', { domain: 'docker.io', path: 'user/repo' }, 'docker.io/user/repo', 'user/repo'],
    ['docker.io/ubuntu', { domain: 'docker.io', path: 'library/ubuntu' }, 'docker.io/library/ubuntu', 'ubuntu'],
    ['index.docker.io/ubuntu', { domain: 'docker.io', path: 'library/ubuntu' }, 'docker.io/library/ubuntu', 'ubuntu'],
    ['index.docker.io/a/b', { domain: 'docker.io', path: 'a/b' }, 'docker.io/a/b', 'a/b'],
    [
      'library/foo/bar',
      { domain: 'docker.io', path: 'library/foo/bar' },
      'docker.io/library/foo/bar',
      'library/foo/bar',
    ],
    ['host:5000/a/b:tag', { domain: 'host:5000', path: 'a/b', tag: 'tag' }, 'host:5000/a/b:tag', 'host:5000/a/b:tag'],
    ['localhost/x', { domain: 'localhost', path: 'x' }, 'localhost/x', 'localhost/x'],
    ['localhost:5000/x', { domain: 'localhost:5000', path: 'x' }, 'localhost:5000/x', 'localhost:5000/x'],
    [
      'example.com/privatebase',
      { domain: 'example.com', path: 'privatebase' },
      'example.com/privatebase',
      'example.com/privatebase',
    ],
    [
      '127.0.0.1:8000/private/moonbase',
      { domain: '127.0.0.1:8000', path: 'private/moonbase' },
      '127.0.0.1:8000/private/moonbase',
      '127.0.0.1:8000/private/moonbase',
    ],
    [
      '[fc00::1]:5000/docker',
      { domain: '[fc00::1]:5000', path: 'docker' },
      '[fc00::1]:5000/docker',
      '[fc00::1]:5000/docker',
    ],
    [
      'xn--n3h.com:18080/foo',
      { domain: 'xn--n3h.com:18080', path: 'foo' },
      'xn--n3h.com:18080/foo',
      'xn--n3h.com:18080/foo',
    ],
    ['test_com/foo', { domain: 'docker.io', path: 'test_com/foo' }, 'docker.io/test_com/foo', 'test_com/foo'],
    [
      `busybox@${D}`,
      { domain: 'docker.io', path: 'library/busybox', digest: D },
      `docker.io/library/busybox@${D}`,
      `busybox@${D}`,
    ],
    [
      `busybox:latest@${D}`,
      { domain: 'docker.io', path: 'library/busybox', tag: 'latest', digest: D },
      `docker.io/library/busybox:latest@${D}`,
      `busybox:latest@${D}`,
    ],
  ];
  for (const [input, parsed, canonical, familiar] of cases) {
    const ref = parseNormalizedReference(input);
    assert.deepEqual(ref, parsed, input);
    assert.equal(referenceString(ref), canonical, input);
    assert.equal(familiarString(ref), familiar, input);
    // The canonical and familiar forms parse back to the same reference.
    assert.deepEqual(parseNormalizedReference(canonical), parsed, canonical);
    assert.deepEqual(parseNormalizedReference(familiar), parsed, familiar);
  }
});

test('a single element is always a Docker Hub official image, even if it looks like a host', () => {
  assert.equal(referenceString(parseNormalizedReference('localhost')), 'docker.io/library/localhost');
  assert.deepEqual(parseNormalizedReference('localhost:5000'), {
    domain: 'docker.io',
    path: 'library/localhost',
    tag: '5000',
  });
  assert.deepEqual(parseNormalizedReference('192.168.0.1:80'), {
    domain: 'docker.io',
    path: 'library/192.168.0.1',
    tag: '80',
  });
  // `sha256:<hex>` as a *name* is the repository "sha256" with a 64-character tag.
  assert.deepEqual(parseNormalizedReference(D), { domain: 'docker.io', path: 'library/sha256', tag: H });
  assert.equal(referenceString(parseNormalizedReference('docker.io')), 'docker.io/library/docker.io');
});

test('an uppercase first element is taken as a domain', () => {
  for (const [input, domain] of [
    ['Foo/bar', 'Foo'],
    ['FOO/bar', 'FOO'],
    ['A.com/b', 'A.com'],
    ['Foo:5000/bar', 'Foo:5000'],
  ]) {
    const ref = parseNormalizedReference(input as string);
    assert.equal(ref.domain, domain, input);
    assert.equal(familiarName(ref), input);
  }
  // A name the domain grammar cannot read (underscore) falls back to Parse's own lowercase error.
  rejects(() => parseNormalizedReference('FOO_BAR/x'), 'repository name must be lowercase');
});

test("uppercase in the repository path gets Docker's message naming the path it checked", () => {
  rejects(
    () => parseNormalizedReference('Busybox'),
    'invalid reference format: repository name (library/Busybox) must be lowercase',
  );
  rejects(() => parseNormalizedReference('a/B'), 'invalid reference format: repository name (a/B) must be lowercase');
  rejects(
    () => parseNormalizedReference('Foo/Bar'),
    'invalid reference format: repository name (Bar) must be lowercase',
  );
  rejects(
    () => parseNormalizedReference('docker.io/Foo'),
    'invalid reference format: repository name (library/Foo) must be lowercase',
  );
  rejects(
    () => parseNormalizedReference('localhost/Foo'),
    'invalid reference format: repository name (Foo) must be lowercase',
  );
  rejects(
    () => parseNormalizedReference('a/B_C:tag'),
    'invalid reference format: repository name (a/B_C) must be lowercase',
  );
  // Docker cuts at the first ':', which for a digest reference lies inside the digest.
  rejects(
    () => parseNormalizedReference(`a/B@${D}`),
    'invalid reference format: repository name (a/B@sha256) must be lowercase',
  );
  // Uppercase in a tag is fine.
  assert.equal(parseNormalizedReference('busybox:Tag_1.0').tag, 'Tag_1.0');
});

test('a 64-hex string alone is refused as a name, but accepted with a namespace or domain', () => {
  rejects(
    () => parseNormalizedReference(H),
    `invalid repository name (${H}), cannot specify 64-byte hexadecimal strings`,
  );
  assert.equal(parseNormalizedReference(`docker.io/${H}`).path, `library/${H}`);
  assert.equal(parseNormalizedReference(`library/${H}`).path, `library/${H}`);
  // 63 hex characters are a perfectly good name.
  assert.equal(parseNormalizedReference(H.slice(1)).path, `library/${H.slice(1)}`);
});

test('path components follow the separator rules', () => {
  const valid = [
    'docker---rules/docker',
    'dock__er/docker',
    'a__b',
    'a--b',
    'a.b_c-d',
    'd/docker',
    'jess/t',
    'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    'foo_bar.com/x',
    'a/b/c/d/e/f',
  ];
  for (const name of valid) assert.doesNotThrow(() => parseNormalizedReference(name), name);
  const invalid = [
    '',
    '-docker',
    '-docker/docker',
    'docker-/docker',
    '-docker-/docker',
    '____/____',
    '_docker/_docker',
    'dock..er/docker',
    'dock_.er/docker',
    'dock-.er/docker',
    'a___b',
    'a.-b',
    'docker/',
    '/x',
    'docker///docker',
    'docker.io/',
    'https://github.com/docker/docker',
    'a:b:c',
    'busybox:',
    'busybox@',
    `@${D}`,
    `x@${D}:tag`,
    'x.com:abc/y',
    '[fc00::1]',
    '[fc00::1]:5000',
    'fc00::1:5000/debian',
    '[fe80::1%eth0]:5000/debian',
    'busybox:-x',
    'busybox:.x',
    `busybox:${'t'.repeat(129)}`,
    'ünicode',
  ];
  for (const name of invalid) rejects(() => parseNormalizedReference(name), 'invalid reference format', name);
  assert.equal(parseNormalizedReference(`busybox:${'t'.repeat(128)}`).tag?.length, 128);
});

test('the 255-character limit applies to the path, library/ included, not to the domain', () => {
  assert.equal(parseNormalizedReference('a'.repeat(247)).path.length, 255);
  rejects(() => parseNormalizedReference('a'.repeat(248)), 'repository name must not be more than 255 characters');
  assert.equal(parseNormalizedReference(`example.com/${'a'.repeat(250)}`).path.length, 250);
  rejects(
    () => parseNormalizedReference(`${'n'.repeat(250)}/docker`),
    'repository name must not be more than 255 characters',
  );
});

test("digests in references are checked with go-digest's messages", () => {
  rejects(() => parseNormalizedReference('busybox@sha256:abc'), 'invalid reference format');
  rejects(() => parseNormalizedReference(`busybox@sha256:${H.slice(1)}`), 'invalid checksum digest length');
  rejects(() => parseNormalizedReference(`busybox@sha256:${H.toUpperCase()}`), 'invalid checksum digest format');
  rejects(
    () => parseNormalizedReference('busybox@md5:0123456789abcdef0123456789abcdef'),
    'unsupported digest algorithm',
  );
  rejects(() => parseNormalizedReference(`busybox@sha384:${H}`), 'invalid checksum digest length');
  assert.equal(parseNormalizedReference(`busybox@sha512:${H}${H}`).digest, `sha512:${H}${H}`);
});

test('parseReference reads names as written, without normalisation', () => {
  assert.deepEqual(parseReference('busybox'), { domain: '', path: 'busybox' });
  // The grammar is greedy: a lowercase first element is a domain here.
  assert.deepEqual(parseReference('foo/bar:1'), { domain: 'foo', path: 'bar', tag: '1' });
  assert.deepEqual(parseReference('docker.io/library/busybox'), { domain: 'docker.io', path: 'library/busybox' });
  rejects(() => parseReference(''), 'repository name must have at least one component');
  rejects(() => parseReference('Busybox'), 'repository name must be lowercase');
  rejects(() => parseReference('a b'), 'invalid reference format');
  // A path component with an underscore cannot be a domain, so it is all path.
  const ref = parseNormalizedReference('ex_ample.com/x');
  assert.deepEqual(ref, { domain: '', path: 'ex_ample.com/x' });
  assert.equal(familiarName(ref), 'ex_ample.com/x');
  assert.equal(fullName(ref), 'ex_ample.com/x');
});

test('parseAnyReference turns IDs and digests into digest references', () => {
  const byId = parseAnyReference(H);
  assert.ok(isDigestOnly(byId));
  assert.deepEqual(byId, { digest: D });
  assert.deepEqual(parseAnyReference(D), { digest: D });
  assert.equal(referenceString(byId), D);
  assert.equal(familiarString(byId), D);
  const named = parseAnyReference('redis:latest');
  assert.ok(!isDigestOnly(named));
  assert.equal(referenceString(named), 'docker.io/library/redis:latest');
  assert.equal(referenceString(parseAnyReference('dbcc1')), 'docker.io/library/dbcc1');
  rejects(() => parseAnyReference('Redis'), /must be lowercase/);
});

test('withDefaultTag adds latest only when there is neither tag nor digest', () => {
  const plain = parseNormalizedReference('busybox');
  assert.equal(isNameOnly(plain), true);
  assert.equal(referenceString(withDefaultTag(plain)), 'docker.io/library/busybox:latest');
  assert.equal(familiarString(withDefaultTag(plain)), 'busybox:latest');
  assert.equal(withDefaultTag(parseNormalizedReference('busybox:1')).tag, '1');
  const digested = withDefaultTag(parseNormalizedReference(`busybox@${D}`));
  assert.equal(digested.tag, undefined);
  assert.equal(isNameOnly(digested), false);
});

test('withTag, withDigest and trimNamed replace parts and validate them', () => {
  const ref = parseNormalizedReference(`busybox:1@${D}`);
  assert.deepEqual(withTag(ref, '2'), { ...ref, tag: '2' });
  assert.deepEqual(trimNamed(ref), { domain: 'docker.io', path: 'library/busybox' });
  const other = `sha256:${'0'.repeat(64)}`;
  assert.deepEqual(withDigest(ref, other), { ...ref, digest: other });
  rejects(() => withTag(ref, '-foo'), 'invalid tag format');
  rejects(() => withTag(ref, ''), 'invalid tag format');
  rejects(() => withDigest(ref, 'foo'), 'invalid digest format');
  assert.equal(isValidTag('v1.0_rc-2'), true);
  assert.equal(isValidTag('a'.repeat(129)), false);
});

test('parseDockerRef prefers the digest over the tag and defaults the tag', () => {
  assert.equal(referenceString(parseDockerRef(`busybox:latest@${D}`)), `docker.io/library/busybox@${D}`);
  assert.equal(referenceString(parseDockerRef('busybox')), 'docker.io/library/busybox:latest');
  assert.equal(referenceString(parseDockerRef('busybox:1')), 'docker.io/library/busybox:1');
});

test('parseCanonicalReference accepts only canonical input', () => {
  assert.equal(parseCanonicalReference('docker.io/library/busybox:1').tag, '1');
  rejects(() => parseCanonicalReference('busybox:1'), 'repository name must be canonical');
  rejects(() => parseCanonicalReference('docker.io/busybox'), 'repository name must be canonical');
});

test('parseRepositoryTag builds the pull reference from fromImage and tag like dockerd', () => {
  assert.equal(referenceString(parseRepositoryTag('busybox')), 'docker.io/library/busybox');
  assert.equal(referenceString(parseRepositoryTag('busybox', '1.36')), 'docker.io/library/busybox:1.36');
  // A trailing ':' (old `pull -a` clients) is ignored.
  assert.equal(referenceString(parseRepositoryTag('busybox:', 'musl')), 'docker.io/library/busybox:musl');
  // The tag replaces a tag given in the image.
  assert.equal(referenceString(parseRepositoryTag('busybox:1', '2')), 'docker.io/library/busybox:2');
  // A digest in `tag` replaces tag and digest.
  assert.equal(referenceString(parseRepositoryTag('busybox:1', D)), `docker.io/library/busybox@${D}`);
  // A tag with a digested image keeps the digest.
  assert.equal(referenceString(parseRepositoryTag(`busybox@${D}`, 'x')), `docker.io/library/busybox:x@${D}`);
  rejects(() => parseRepositoryTag('busybox', 'bad tag'), 'invalid tag format');
  rejects(() => parseRepositoryTag('Busybox'), /must be lowercase/);
});

test('repoTagReference builds the target of docker tag/import/commit', () => {
  assert.equal(repoTagReference(''), undefined);
  assert.equal(referenceString(repoTagReference('myapp') as Reference), 'docker.io/library/myapp:latest');
  assert.equal(referenceString(repoTagReference('myapp', 'v2') as Reference), 'docker.io/library/myapp:v2');
  assert.equal(referenceString(repoTagReference('reg:5000/x:1', 'v2') as Reference), 'reg:5000/x:v2');
  rejects(() => repoTagReference(`myapp@${D}`), 'cannot import digest reference');
  rejects(() => repoTagReference('myapp', '-x'), 'invalid tag format');
});

test('pathological inputs fail fast (no catastrophic backtracking)', () => {
  const inputs = [
    `${'a'.repeat(50_000)}!`,
    `${'a-'.repeat(25_000)}!`,
    `${'a.'.repeat(25_000)}a/!`,
    `${'a_'.repeat(25_000)}`,
    `x/${'a'.repeat(50_000)}:${'t'.repeat(200)}`,
    `x@sha256:${'a'.repeat(50_000)}!`,
  ];
  const start = performance.now();
  for (const s of inputs) assert.throws(() => parseNormalizedReference(s));
  assert.ok(performance.now() - start < 500, `took ${performance.now() - start} ms`);
});
