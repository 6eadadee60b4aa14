import * as core from '@actions/core';
import { ConfigurationError } from '../errors.js';
import { echoed, neutralised } from '../util/echo.js';

/** Every input, output and saved-state name of the actions, in one place each (as actions/cache does). */
export enum Inputs {
  Spec = 'spec',
  LayoutSpec = 'layout-spec',
  Twin = 'twin',
  Operation = 'operation',
  ProxmoxEndpoint = 'proxmox-endpoint',
  ProxmoxToken = 'proxmox-token',
  ProxmoxCa = 'proxmox-ca',
  ProxmoxCaFile = 'proxmox-ca-file',
  ProxmoxFingerprint = 'proxmox-fingerprint',
  ProxmoxInsecure = 'proxmox-insecure',
  StateDir = 'state-dir',
  StateStore = 'state-store',
  Tools = 'tools',
  DryRun = 'dry-run',
  GithubToken = 'github-token',
  CommentAuthor = 'comment-author',
  AllowProductionDestroy = 'allow-production-destroy',
  ReviewerAccess = 'reviewer-access',
  Platform = 'platform',
}

export enum Outputs {
  Twin = 'twin',
  Environment = 'environment',
  Slot = 'slot',
  Clusters = 'clusters',
  Kubeconfigs = 'kubeconfigs',
  Talosconfigs = 'talosconfigs',
  Plan = 'plan',
  StateDir = 'state-dir',
  Reaped = 'reaped',
  Mesh = 'mesh',
  Ceph = 'ceph',
  Checks = 'checks',
  ReviewerKubeconfig = 'reviewer-kubeconfig',
  ReviewerArtifact = 'reviewer-artifact',
  ReviewerRetentionDays = 'reviewer-retention-days',
  Diagnostics = 'diagnostics',
}

export enum State {
  TemporaryFiles = 'temporary-files',
}

export function getRequiredInput(name: Inputs): string {
  const value = core.getInput(name).trim();
  if (value === '') {
    throw new ConfigurationError(`input ${name} is required: set it under "with:" in the workflow step`);
  }
  return value;
}

export function getOptionalInput(name: Inputs): string | undefined {
  const value = core.getInput(name).trim();
  return value === '' ? undefined : value;
}

export function getBooleanInput(name: Inputs): boolean {
  const value = getOptionalInput(name);
  if (value === undefined) return false;
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw new ConfigurationError(`input ${name} is ${echoed(value)}: write true or false`);
}

export function getChoiceInput<T extends string>(name: Inputs, choices: readonly T[], fallback: T): T {
  const value = getOptionalInput(name) ?? fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new ConfigurationError(`input ${name} is ${echoed(value)}: use one of ${choices.join(', ')}`);
}

/** The variable the runner passes an input in (what core.getInput reads). */
function inputVariable(name: Inputs): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * An input that holds a token: read once, masked, and removed from the process environment, so no child
 * process and no later reader finds it there. Undefined when the input is empty.
 */
export function takeSecretInput(name: Inputs): string | undefined {
  const value = getOptionalInput(name);
  delete process.env[inputVariable(name)];
  if (value !== undefined) core.setSecret(value);
  return value;
}

/** A required token input, taken as takeSecretInput takes it. */
export function takeRequiredSecretInput(name: Inputs): string {
  const value = takeSecretInput(name);
  if (value === undefined) {
    throw new ConfigurationError(`input ${name} is required: set it under "with:" in the workflow step`);
  }
  return value;
}

/**
 * The one way a line reaches the job log: it may quote pods, tools or the spec (check evidence, kubectl's
 * answers), so a line of it that reads as a workflow command is neutralised first.
 */
export function logLine(text: string): void {
  core.info(neutralised(text));
}

/** Log groups that close even when the work inside throws. */
export async function withGroup<T>(name: string, work: () => Promise<T>): Promise<T> {
  core.startGroup(name);
  try {
    return await work();
  } finally {
    core.endGroup();
  }
}
