// Token and basic auth with Harbor's model: per-project roles (developer pushes, guest pulls), public projects for
// anonymous pulls, a filtered catalog, refresh tokens, the audit trail, and the admin API.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { parseConfig } from '../../../src/registry/index.js';
import { errorOf, pushImage, pushManifest } from './client.js';
import { makeImage } from './image.js';
import { type TestRegistry, basic, inOwnNetns, req, skipReason, startRegistry } from './sandbox.js';

const hash = (pw: string) => bcrypt.hashSync(pw, 4);
const users = `
users:
  alice: { password: '${hash('alice-pw')}' }
  bob: { password: '${hash('bob-pw')}' }
  carol: { password: '${hash('carol-pw')}' }
  root: { password: '${hash('root-pw')}', admin: true }
projects:
  a: { members: { alice: developer, bob: guest } }
  b: { members: { carol: maintainer } }
  pub: { public: true, members: { alice: developer } }
`;

async function token(url: string, scope: string[], auth?: string, extra = ''): Promise<Record<string, unknown>> {
  const q = new URLSearchParams({ service: 'berth-registry' });
  for (const s of scope) q.append('scope', s);
  const res = await req(`${url}/service/token?${q}${extra}`, { headers: auth ? { Authorization: auth } : {} });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Record<string, unknown>;
}

const bearer = (t: Record<string, unknown>) => ({ Authorization: `Bearer ${String(t.token)}` });
const claims = (t: Record<string, unknown>) =>
  JSON.parse(Buffer.from(String(t.token).split('.')[1] ?? '', 'base64url').toString()) as {
    sub: string;
    access: Array<{ type: string; name: string; actions: string[] }>;
  };

if (inOwnNetns(import.meta.url)) {
  describe('token auth with projects and roles', { ...(skipReason ? { skip: skipReason } : {}) }, () => {
    let r: TestRegistry;
    const img = makeImage([500]);
    before(async () => {
      r = await startRegistry(parseConfig(`auth:\n  token: { service: berth-registry, issuer: berth-test }\n${users}`));
    });
    after(async () => {
      await r?.stop();
    });

    it('an unauthenticated request gets 401 with a Bearer challenge naming realm, service and scope', async () => {
      const base = await req(`${r.url}/v2/`);
      assert.equal(base.status, 401);
      assert.equal(
        base.headers.get('www-authenticate'),
        `Bearer realm="${r.url}/service/token",service="berth-registry"`,
      );
      const m = await req(`${r.url}/v2/a/app/manifests/v1`);
      assert.equal(m.status, 401);
      assert.equal(
        m.headers.get('www-authenticate'),
        `Bearer realm="${r.url}/service/token",service="berth-registry",scope="repository:a/app:pull"`,
      );
      assert.equal((await errorOf(m)).code, 'UNAUTHORIZED');
    });

    it('a developer of project a pushes to a and is refused on b (403 DENIED)', async () => {
      const t = await token(
        r.url,
        ['repository:a/app:pull,push', 'repository:b/app:pull,push'],
        basic('alice', 'alice-pw'),
      );
      assert.deepEqual(claims(t).access, [
        { type: 'repository', name: 'a/app', actions: ['pull', 'push'] },
        { type: 'repository', name: 'b/app', actions: [] },
      ]);
      assert.equal(claims(t).sub, 'alice');
      await pushImage(r.url, 'a/app', 'v1', img, bearer(t));
      const refused = await req(`${r.url}/v2/b/app/blobs/uploads/`, { method: 'POST', headers: bearer(t) });
      assert.equal(refused.status, 403);
      assert.equal((await errorOf(refused)).code, 'DENIED');
      assert.ok(
        r.logs.some((l) => l.startsWith('audit ') && l.includes('"operation":"push"') && l.includes('"user":"alice"')),
      );
    });

    it('a guest pulls but may not push', async () => {
      const t = await token(r.url, ['repository:a/app:pull,push'], basic('bob', 'bob-pw'));
      assert.deepEqual(claims(t).access[0]?.actions, ['pull']);
      const get = await req(`${r.url}/v2/a/app/manifests/v1`, { headers: bearer(t) });
      assert.equal(get.status, 200);
      const put = await pushManifest(r.url, 'a/app', 'v2', img.manifest, bearer(t));
      assert.equal(put.status, 403);
      assert.equal((await errorOf(put)).code, 'DENIED');
      assert.ok(r.logs.some((l) => l.includes('"operation":"pull"') && l.includes('"user":"bob"')));
    });

    it('anonymous callers pull public projects only', async () => {
      const alice = await token(r.url, ['repository:pub/app:pull,push'], basic('alice', 'alice-pw'));
      await pushImage(r.url, 'pub/app', 'v1', img, bearer(alice));
      const anon = await token(r.url, ['repository:pub/app:pull', 'repository:a/app:pull']);
      assert.equal(claims(anon).sub, '');
      assert.equal((await req(`${r.url}/v2/pub/app/manifests/v1`, { headers: bearer(anon) })).status, 200);
      const priv = await req(`${r.url}/v2/a/app/manifests/v1`, { headers: bearer(anon) });
      assert.equal(priv.status, 401);
      assert.equal((await errorOf(priv)).code, 'UNAUTHORIZED');
    });

    it('the catalog shows each caller only what it may pull', async () => {
      const root = await token(r.url, ['repository:b/app:push,pull'], basic('root', 'root-pw'));
      await pushImage(r.url, 'b/app', 'v1', img, bearer(root));
      const catalogAs = async (auth?: string) => {
        const t = await token(r.url, ['registry:catalog:*'], auth);
        const res = await req(`${r.url}/v2/_catalog`, { headers: bearer(t) });
        assert.equal(res.status, 200);
        return ((await res.json()) as { repositories: string[] }).repositories;
      };
      assert.deepEqual(await catalogAs(basic('alice', 'alice-pw')), ['a/app', 'pub/app']);
      assert.deepEqual(await catalogAs(basic('carol', 'carol-pw')), ['b/app', 'pub/app']);
      assert.deepEqual(await catalogAs(), ['pub/app']);
      assert.deepEqual(await catalogAs(basic('root', 'root-pw')), ['a/app', 'b/app', 'pub/app']);
    });

    it('bad credentials are 401; offline_token gives a refresh token usable with the OAuth2 refresh grant', async () => {
      const bad = await req(`${r.url}/service/token?service=berth-registry&scope=repository:a/app:pull`, {
        headers: { Authorization: basic('alice', 'wrong') },
      });
      assert.equal(bad.status, 401);
      const t = await token(r.url, ['repository:a/app:pull'], basic('alice', 'alice-pw'), '&offline_token=true');
      assert.equal(typeof t.refresh_token, 'string');
      assert.equal(t.expires_in, 300);
      const form = (fields: Record<string, string>) =>
        req(`${r.url}/service/token`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        });
      const refreshed = await form({
        grant_type: 'refresh_token',
        refresh_token: String(t.refresh_token),
        service: 'berth-registry',
        scope: 'repository:a/app:pull',
        client_id: 'test',
      });
      assert.equal(refreshed.status, 200);
      const body = (await refreshed.json()) as Record<string, unknown>;
      assert.equal(typeof body.access_token, 'string');
      const get = await req(`${r.url}/v2/a/app/manifests/v1`, {
        headers: { Authorization: `Bearer ${String(body.access_token)}` },
      });
      assert.equal(get.status, 200);
      const pw = await form({
        grant_type: 'password',
        username: 'bob',
        password: 'bob-pw',
        service: 'berth-registry',
        scope: 'repository:a/app:pull',
        client_id: 'test',
      });
      assert.equal(pw.status, 200);
      const badRefresh = await form({
        grant_type: 'refresh_token',
        refresh_token: 'x.y.z',
        service: 'berth-registry',
        client_id: 'test',
      });
      assert.equal(badRefresh.status, 401);
      // An access token is not a refresh token.
      const swapped = await form({
        grant_type: 'refresh_token',
        refresh_token: String(t.token),
        service: 'berth-registry',
        client_id: 'test',
      });
      assert.equal(swapped.status, 401);
    });

    it('admin API: create a project, add a member, list repositories and artifacts, delete a tag', async () => {
      const rootAuth = { Authorization: basic('root', 'root-pw') };
      const created = await req(`${r.url}/api/v2.0/projects`, {
        method: 'POST',
        headers: { ...rootAuth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ project_name: 'c', metadata: { public: 'false' } }),
      });
      assert.equal(created.status, 201);
      const dup = await req(`${r.url}/api/v2.0/projects`, {
        method: 'POST',
        headers: rootAuth,
        body: JSON.stringify({ project_name: 'c' }),
      });
      assert.equal(dup.status, 409);
      const byAlice = await req(`${r.url}/api/v2.0/projects/c/members`, {
        method: 'POST',
        headers: { Authorization: basic('alice', 'alice-pw') },
        body: JSON.stringify({ role_id: 2, member_user: { username: 'alice' } }),
      });
      assert.equal(byAlice.status, 403, 'only the project admin or a system admin manages members');
      const member = await req(`${r.url}/api/v2.0/projects/c/members`, {
        method: 'POST',
        headers: rootAuth,
        body: JSON.stringify({ role_id: 2, member_user: { username: 'alice' } }),
      });
      assert.equal(member.status, 201);
      await stat(join(r.root, 'admin', 'projects.json'));
      const t = await token(r.url, ['repository:c/app:pull,push'], basic('alice', 'alice-pw'));
      assert.deepEqual(claims(t).access[0]?.actions, ['pull', 'push']);
      await pushImage(r.url, 'c/app', 'v1', img, bearer(t));
      await pushImage(r.url, 'c/app', 'v2', img, bearer(t));
      const repos = await req(`${r.url}/api/v2.0/projects/c/repositories`, { headers: rootAuth });
      assert.deepEqual(await repos.json(), [{ name: 'c/app', tags_count: 2 }]);
      const arts = (await (
        await req(`${r.url}/api/v2.0/projects/c/repositories/app/artifacts`, { headers: rootAuth })
      ).json()) as Array<{
        digest: string;
        tags: Array<{ name: string }>;
      }>;
      assert.deepEqual(
        arts.map((a) => [a.digest, a.tags.map((x) => x.name)]),
        [[img.manifest.digest, ['v1', 'v2']]],
      );
      const del = await req(`${r.url}/api/v2.0/projects/c/repositories/app/artifacts/v1/tags/v1`, {
        method: 'DELETE',
        headers: rootAuth,
      });
      assert.equal(del.status, 200);
      const tags = await req(`${r.url}/v2/c/app/tags/list`, { headers: bearer(t) });
      assert.deepEqual(((await tags.json()) as { tags: string[] }).tags, ['v2']);
    });
  });

  describe('htpasswd basic auth', { ...(skipReason ? { skip: skipReason } : {}) }, () => {
    let r: TestRegistry;
    before(async () => {
      r = await startRegistry(parseConfig(`auth:\n  htpasswd: { realm: test-realm }\n${users}`));
    });
    after(async () => {
      await r?.stop();
    });

    it('pushes with basic credentials; refuses none or wrong ones with a Basic challenge; public pulls are open', async () => {
      const img = makeImage([200]);
      const none = await req(`${r.url}/v2/`);
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Basic realm="test-realm"');
      const wrong = await req(`${r.url}/v2/`, { headers: { Authorization: basic('alice', 'nope') } });
      assert.equal(wrong.status, 401);
      assert.equal((await req(`${r.url}/v2/`, { headers: { Authorization: basic('alice', 'alice-pw') } })).status, 200);
      await pushImage(r.url, 'pub/app', 'v1', img, { Authorization: basic('alice', 'alice-pw') });
      await pushImage(r.url, 'a/app', 'v1', img, { Authorization: basic('alice', 'alice-pw') });
      assert.equal((await req(`${r.url}/v2/pub/app/manifests/v1`)).status, 200, 'anonymous pull of a public project');
      const priv = await req(`${r.url}/v2/a/app/manifests/v1`);
      assert.equal(priv.status, 401);
      const denied = await req(`${r.url}/v2/a/app/blobs/uploads/`, {
        method: 'POST',
        headers: { Authorization: basic('carol', 'carol-pw') },
      });
      assert.equal(denied.status, 403);
      assert.equal((await errorOf(denied)).code, 'DENIED');
      const cat = await req(`${r.url}/v2/_catalog`);
      assert.deepEqual(await cat.json(), { repositories: ['pub/app'] });
    });
  });
}
