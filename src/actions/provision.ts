import * as core from '@actions/core';
import { errorMessage, isConfigurationError } from '../errors.js';
import {
  getBooleanInput,
  getChoiceInput,
  getOptionalInput,
  getRequiredInput,
  Inputs,
  takeRequiredSecretInput,
  takeSecretInput,
} from '../github/action-io.js';
import type { ConnectionFieldNames } from '../proxmox/connection.js';
import { parsePveConnection } from '../proxmox/connection.js';
import { stateDirFromInputs, stateStoreFromInputs, twinFromInputs } from './step-context.js';
import type { Operation, ProvisionSettings } from './provision-run.js';

/**
 * action-provision's entry: the inputs are read and checked first, so a bad one is answered before the
 * work's code (Proxmox, Talos, Kubernetes, the step graph: most of the bundle) is even loaded.
 */

const OPERATIONS = ['apply', 'destroy', 'plan', 'reap'] as const satisfies readonly Operation[];

/** Errors about the Proxmox connection name the step's inputs. */
const CONNECTION_INPUTS: ConnectionFieldNames = {
  endpoint: `input ${Inputs.ProxmoxEndpoint}`,
  token: `input ${Inputs.ProxmoxToken}`,
  caFile: `input ${Inputs.ProxmoxCaFile}`,
  caPem: `input ${Inputs.ProxmoxCa}`,
  fingerprint: `input ${Inputs.ProxmoxFingerprint}`,
  insecure: `input ${Inputs.ProxmoxInsecure}: true`,
};

function readSettings(): ProvisionSettings {
  const token = takeRequiredSecretInput(Inputs.ProxmoxToken);
  core.setSecret(token);
  const secret = token.slice(token.indexOf('=') + 1);
  if (secret) core.setSecret(secret);
  const twin = twinFromInputs();
  const stateDir = stateDirFromInputs();
  return {
    specFile: getOptionalInput(Inputs.Spec) ?? 'twin.yaml',
    ...optional('layoutSpecFile', getOptionalInput(Inputs.LayoutSpec)),
    ...(twin ? { twinInput: twin } : {}),
    operation: getChoiceInput(Inputs.Operation, OPERATIONS, 'apply'),
    connection: parsePveConnection(
      {
        endpoint: getRequiredInput(Inputs.ProxmoxEndpoint),
        token,
        ...optional('caPem', getOptionalInput(Inputs.ProxmoxCa)),
        ...optional('caFile', getOptionalInput(Inputs.ProxmoxCaFile)),
        ...optional('fingerprint', getOptionalInput(Inputs.ProxmoxFingerprint)),
        ...(getBooleanInput(Inputs.ProxmoxInsecure) ? { insecure: true } : {}),
      },
      CONNECTION_INPUTS,
    ),
    stateDir,
    store: stateStoreFromInputs(stateDir),
    tools: getChoiceInput(Inputs.Tools, ['pinned', 'path'] as const, 'pinned'),
    dryRun: getBooleanInput(Inputs.DryRun),
    allowProductionDestroy: getBooleanInput(Inputs.AllowProductionDestroy),
    platform: getBooleanInput(Inputs.Platform),
    ...optional('githubToken', takeSecretInput(Inputs.GithubToken)),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** The main step of action-provision. */
export async function runProvision(): Promise<void> {
  try {
    const settings = readSettings();
    const { provision } = await import('./provision-run.js');
    await provision(settings);
  } catch (error) {
    core.setFailed(isConfigurationError(error) ? error.message : errorMessage(error));
  }
}
