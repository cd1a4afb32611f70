// A small Harbor-like admin API under /api/v2.0 (basic auth): list and create projects, list and add members, list a
// project's repositories and their artifacts, delete a tag. Harbor's role ids: 1 admin, 2 developer, 3 guest,
// 4 maintainer.
import { InvalidParameter, NotFound, Unauthorized } from '../../errdefs/index.js';
import { type Role, isRole } from '../config.js';
import { RegistryError } from '../errors.js';
import { validateName } from '../names.js';
import { type Ctx, audit, readBody } from './context.js';
import { sendEmpty, sendJson } from './respond.js';

const ROLE_IDS: Record<number, Role> = { 1: 'admin', 2: 'developer', 3: 'guest', 4: 'maintainer' };
const ROLE_ID_OF: Record<Role, number> = { admin: 1, developer: 2, guest: 3, maintainer: 4 };
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

async function caller(ctx: Ctx): Promise<string | undefined> {
  const user = await ctx.services.auth.basicUser(ctx.req.headers.authorization, 'Basic realm="berth-registry"');
  if (user !== undefined) ctx.user = user;
  return user;
}

async function jsonBody(ctx: Ctx): Promise<Record<string, unknown>> {
  const text = (await readBody(ctx.req, 64 << 10)).toString('utf8');
  try {
    const v: unknown = JSON.parse(text);
    if (isRecord(v)) return v;
  } catch {}
  throw new InvalidParameter('invalid JSON body');
}

function requireManager(ctx: Ctx, user: string | undefined, project: string): void {
  const { auth } = ctx.services;
  if (auth.mode === 'none') return;
  if (user === undefined) throw new Unauthorized('UnAuthorized');
  if (!auth.policy.project(project)) throw new NotFound(`project ${project} not found`);
  if (!auth.policy.canManage(user, project)) throw new RegistryError('DENIED');
}

function requirePull(ctx: Ctx, user: string | undefined, project: string): void {
  const { auth } = ctx.services;
  if (auth.mode !== 'none' && !auth.policy.project(project) && !auth.policy.isAdmin(user))
    throw new NotFound(`project ${project} not found`);
  if (!auth.visible(user, `${project}/x`))
    throw user === undefined ? new Unauthorized('UnAuthorized') : new RegistryError('DENIED');
}

/** Dispatches /api/v2.0/…; false when the path is not an admin route. */
export async function admin(ctx: Ctx, method: string, path: string): Promise<boolean> {
  const parts = path.split('/').slice(3).map(decodeURIComponent); // ['', 'api', 'v2.0', ...]
  const { auth, registry } = ctx.services;
  const policy = auth.policy;
  const user = await caller(ctx);
  if (parts[0] !== 'projects') return false;
  if (parts.length === 1 && method === 'GET') {
    const visible = policy.projects().filter((p) => auth.mode === 'none' || auth.visible(user, `${p}/x`));
    sendJson(
      ctx.res,
      200,
      visible.map((p) => ({ name: p, metadata: { public: String(policy.project(p)?.public ?? false) } })),
    );
    return true;
  }
  if (parts.length === 1 && method === 'POST') {
    if (auth.mode !== 'none' && user === undefined) throw new Unauthorized('UnAuthorized');
    const body = await jsonBody(ctx);
    const name = body.project_name;
    if (typeof name !== 'string') throw new InvalidParameter('project_name is required');
    const meta = isRecord(body.metadata) ? body.metadata : {};
    const isPublic = body.public === true || meta.public === 'true' || meta.public === true;
    await policy.createProject(name, isPublic, user);
    sendEmpty(ctx.res, 201, { Location: `/api/v2.0/projects/${name}` });
    return true;
  }
  const project = parts[1];
  if (project === undefined) return false;
  if (parts[2] === 'members' && parts.length === 3) {
    requireManager(ctx, user, project);
    if (method === 'GET') {
      const members = Object.entries(policy.project(project)?.members ?? {});
      sendJson(
        ctx.res,
        200,
        members.map(([entity_name, role]) => ({
          entity_name,
          entity_type: 'u',
          role_name: role,
          role_id: ROLE_ID_OF[role],
        })),
      );
      return true;
    }
    if (method === 'POST') {
      const body = await jsonBody(ctx);
      const member = isRecord(body.member_user) ? body.member_user.username : undefined;
      const role = typeof body.role_id === 'number' ? ROLE_IDS[body.role_id] : body.role_name;
      if (typeof member !== 'string' || !isRole(role))
        throw new InvalidParameter('member_user.username and role_id are required');
      await policy.setMember(project, member, role);
      sendEmpty(ctx.res, 201);
      return true;
    }
  }
  if (parts[2] !== 'repositories') return false;
  requirePull(ctx, user, project);
  const repoNames = (await registry.repos.catalog()).filter((r) => r.startsWith(`${project}/`));
  if (parts.length === 3 && method === 'GET') {
    const out = [];
    for (const r of repoNames) out.push({ name: r, tags_count: (await registry.repos.tags(r)).length });
    sendJson(ctx.res, 200, out);
    return true;
  }
  const repo = parts[3] === undefined ? undefined : validateName(`${project}/${parts[3]}`);
  if (repo === undefined || !repoNames.includes(repo))
    throw new NotFound(`repository ${project}/${parts[3]} not found`);
  if (parts[4] === 'artifacts' && parts.length === 5 && method === 'GET') {
    const byDigest = new Map<string, string[]>();
    for (const [tag, d] of await registry.repos.tagMap(repo)) byDigest.set(d, [...(byDigest.get(d) ?? []), tag]);
    const out = [];
    for (const d of await registry.repos.revisions(repo)) {
      const rev = await registry.repos.revision(repo, d);
      out.push({
        digest: d,
        media_type: rev?.mediaType,
        size: rev?.size,
        tags: (byDigest.get(d) ?? []).map((name) => ({ name })),
      });
    }
    sendJson(ctx.res, 200, out);
    return true;
  }
  if (parts[4] === 'artifacts' && parts[6] === 'tags' && parts.length === 8 && method === 'DELETE') {
    const tag = parts[7] ?? '';
    if (auth.mode !== 'none' && !policy.actions(user, repo).includes('delete'))
      throw user === undefined ? new Unauthorized('UnAuthorized') : new RegistryError('DENIED');
    const target = await registry.repos.resolveTag(repo, tag);
    if (!target || (parts[5] !== tag && parts[5] !== target)) throw new NotFound(`tag ${tag} not found`);
    await registry.repos.removeTag(repo, tag);
    audit(ctx, 'delete', repo, tag, target);
    sendEmpty(ctx.res, 200);
    return true;
  }
  return false;
}
