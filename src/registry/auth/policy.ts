// Harbor's access model: a repository belongs to the project named by its first path component; a user holds one
// role per project (guest pulls, developer also pushes, maintainer also deletes, admin also manages members); system
// admins may do anything; public projects are pullable by anyone. Changes made through the admin API are kept in a
// state file beside the data (written atomically) and overlaid on the config's projects.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from '../../lib/atomic-file.js';
import { Conflict, InvalidParameter, NotFound } from '../../errdefs/index.js';
import type { ProjectConfig, RegistryConfig, Role } from '../config.js';
import { projectOf } from '../names.js';

export type Action = 'pull' | 'push' | 'delete';

const ROLE_ACTIONS: Record<Role, Action[]> = {
  guest: ['pull'],
  developer: ['pull', 'push'],
  maintainer: ['pull', 'push', 'delete'],
  admin: ['pull', 'push', 'delete'],
};
const ALL: Action[] = ['pull', 'push', 'delete'];

interface State {
  projects: Record<string, ProjectConfig>;
}

const PROJECT = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export class Policy {
  private state: State = { projects: {} };

  constructor(
    private readonly config: RegistryConfig,
    private readonly statePath: string,
  ) {}

  async load(): Promise<void> {
    this.state = (await readJsonIfExists<State>(this.statePath)) ?? { projects: {} };
  }

  /** With no projects anywhere (plain htpasswd), every known user may do everything, as distribution's basic auth. */
  private get open(): boolean {
    return Object.keys(this.config.projects).length === 0 && Object.keys(this.state.projects).length === 0;
  }

  isUser(user: string): boolean {
    return Object.hasOwn(this.config.users, user);
  }

  isAdmin(user: string | undefined): boolean {
    return user !== undefined && this.config.users[user]?.admin === true;
  }

  project(name: string): { public: boolean; members: Record<string, Role> } | undefined {
    const base = this.config.projects[name];
    const extra = this.state.projects[name];
    if (!base && !extra) return undefined;
    return {
      public: (extra?.public ?? base?.public) === true,
      members: { ...base?.members, ...extra?.members },
    };
  }

  projects(): string[] {
    return [...new Set([...Object.keys(this.config.projects), ...Object.keys(this.state.projects)])].sort();
  }

  /** What `user` (undefined: anonymous) may do on repository `repo`. */
  actions(user: string | undefined, repo: string): Action[] {
    if (this.isAdmin(user)) return ALL;
    if (this.open) return user !== undefined ? ALL : [];
    const p = this.project(projectOf(repo));
    if (!p) return [];
    const role = user === undefined ? undefined : p.members[user];
    if (role) return ROLE_ACTIONS[role];
    return p.public ? ['pull'] : [];
  }

  /** Whether `user` may manage project `name`'s members (project admins and system admins). */
  canManage(user: string | undefined, name: string): boolean {
    if (this.isAdmin(user)) return true;
    return user !== undefined && this.project(name)?.members[user] === 'admin';
  }

  async createProject(name: string, isPublic: boolean, owner: string | undefined): Promise<void> {
    if (!PROJECT.test(name)) throw new InvalidParameter(`invalid project name: ${name}`);
    if (this.project(name)) throw new Conflict(`The project named ${name} already exists`);
    const members: Record<string, Role> = owner && !this.isAdmin(owner) ? { [owner]: 'admin' } : {};
    this.state.projects[name] = { public: isPublic, members };
    await this.save();
  }

  async setMember(project: string, user: string, role: Role): Promise<void> {
    if (!this.project(project)) throw new NotFound(`project ${project} not found`);
    if (!this.isUser(user)) throw new NotFound(`user ${user} not found`);
    const entry = this.state.projects[project] ?? {};
    entry.members = { ...entry.members, [user]: role };
    this.state.projects[project] = entry;
    await this.save();
  }

  private async save(): Promise<void> {
    await mkdir(dirname(this.statePath), { recursive: true });
    await writeJsonAtomic(this.statePath, this.state);
  }
}
