/**
 * What the Doppler stand-in holds: projects with their environments, root and branch configs and
 * secrets, and the tokens it has issued. Kept in DIR/doppler-state.json when a dir is given, so a
 * restarted stand-in continues (the PVE lab keeps its state the same way).
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValueType, Visibility } from './rules.js';
import { DopplerError, SERVICE_ACCOUNT_TOKEN_PREFIX, newId, newToken } from './rules.js';

export interface SecretRecord {
  raw: string;
  visibility: Visibility;
  valueType: ValueType;
}

export interface ConfigRecord {
  id: string;
  name: string;
  environment: string;
  /** A root config is named after its environment; every other config of it is a branch. */
  root: boolean;
  createdAt: string;
  secrets: Record<string, SecretRecord>;
}

export interface ProjectRecord {
  name: string;
  description: string;
  createdAt: string;
  environments: string[];
  configs: Record<string, ConfigRecord>;
}

export type TokenRecord =
  | { kind: 'service-account' }
  | { kind: 'service-token'; project: string; configId: string; access: 'read' | 'read/write' };

interface DopplerData {
  projects: Record<string, ProjectRecord>;
  tokens: Record<string, TokenRecord>;
  labProject: string;
  serviceAccountToken: string;
}

const STATE_FILE = 'doppler-state.json';

/**
 * docs.doppler.com/docs/branch-configs: "Projects have 3 default configs: dev, stg, and prd", the root
 * configs of their environments. A project created through the API gets them.
 */
export const DEFAULT_ENVIRONMENTS = ['dev', 'stg', 'prd'];

export class DopplerState {
  private constructor(
    private readonly file: string | undefined,
    readonly data: DopplerData,
  ) {}

  /** The state in DIR (or in memory); a new one has the lab's project with the given environments. */
  static open(
    dir: string | undefined,
    lab: { project: string; environments: string[] },
    now: number,
  ): DopplerState {
    const file = dir === undefined ? undefined : join(dir, STATE_FILE);
    if (file && existsSync(file)) {
      return new DopplerState(file, JSON.parse(readFileSync(file, 'utf8')) as DopplerData);
    }
    const serviceAccountToken = newToken(SERVICE_ACCOUNT_TOKEN_PREFIX);
    const state = new DopplerState(file, {
      projects: {},
      tokens: { [serviceAccountToken]: { kind: 'service-account' } },
      labProject: lab.project,
      serviceAccountToken,
    });
    state.createProject(lab.project, '', lab.environments, now);
    state.save();
    return state;
  }

  save(): void {
    if (!this.file) return;
    // The file holds the tokens: owner-only, like the PVE lab's secrets.
    const temp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(temp, JSON.stringify(this.data), { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.file);
  }

  token(secret: string): TokenRecord | undefined {
    return Object.hasOwn(this.data.tokens, secret) ? this.data.tokens[secret] : undefined;
  }

  addToken(secret: string, record: TokenRecord): void {
    this.data.tokens[secret] = record;
    this.save();
  }

  // Doppler's wording for a missing project, config or environment is not documented; status 404 and
  // the texts are the lab's choice.
  project(name: string): ProjectRecord {
    const project = Object.hasOwn(this.data.projects, name) ? this.data.projects[name] : undefined;
    if (!project) throw new DopplerError(404, `Could not find requested project '${name}'`);
    return project;
  }

  config(projectName: string, name: string): ConfigRecord {
    const project = this.project(projectName);
    const config = Object.hasOwn(project.configs, name) ? project.configs[name] : undefined;
    if (!config) throw new DopplerError(404, `Could not find requested config '${name}'`);
    return config;
  }

  /** Whether a config with this id still exists (a deleted config's service tokens stop working). */
  configById(projectName: string, id: string): ConfigRecord | undefined {
    const project = this.data.projects[projectName];
    return project ? Object.values(project.configs).find((config) => config.id === id) : undefined;
  }

  createProject(name: string, description: string, environments: string[], now: number): ProjectRecord {
    if (Object.hasOwn(this.data.projects, name)) {
      throw new DopplerError(409, `A project named '${name}' already exists`); // the lab's choice
    }
    const createdAt = new Date(now).toISOString();
    const project: ProjectRecord = {
      name,
      description,
      createdAt,
      environments: [...environments],
      configs: {},
    };
    for (const environment of environments) {
      project.configs[environment] = {
        id: newId(),
        name: environment,
        environment,
        root: true,
        createdAt,
        secrets: {},
      };
    }
    this.data.projects[name] = project;
    return project;
  }

  deleteProject(name: string): void {
    this.project(name);
    delete this.data.projects[name];
  }

  createBranchConfig(projectName: string, environment: string, name: string, now: number): ConfigRecord {
    const project = this.project(projectName);
    if (!project.environments.includes(environment)) {
      throw new DopplerError(404, `Could not find requested environment '${environment}'`);
    }
    if (Object.hasOwn(project.configs, name)) {
      throw new DopplerError(409, `A config named '${name}' already exists`); // the lab's choice
    }
    const config: ConfigRecord = {
      id: newId(),
      name,
      environment,
      root: false,
      createdAt: new Date(now).toISOString(),
      secrets: {},
    };
    project.configs[name] = config;
    return config;
  }

  deleteConfig(projectName: string, name: string): void {
    const config = this.config(projectName, name);
    // A root config is its environment's base; the stand-in does not model environments without one.
    if (config.root)
      throw new DopplerError(400, `'${name}' is a root config: the lab deletes only branch configs`);
    delete this.project(projectName).configs[name];
  }

  /** The root config of a config's environment (itself for a root config). */
  rootOf(projectName: string, config: ConfigRecord): ConfigRecord {
    return this.config(projectName, config.environment);
  }

  /**
   * The secrets a config shows: a branch config inherits its root config's secrets and overrides them
   * with its own (docs.doppler.com/docs/branch-configs: branch configs "allow overrides from the root
   * config" and "inherit changes from the root config").
   */
  effectiveSecrets(projectName: string, config: ConfigRecord): Record<string, SecretRecord> {
    if (config.root) return { ...config.secrets };
    return { ...this.rootOf(projectName, config).secrets, ...config.secrets };
  }
}
