import * as core from '@actions/core';
import { errorMessage, isConfigurationError } from '../errors.js';
import { getChoiceInput, getOptionalInput, Inputs, takeSecretInput } from '../github/action-io.js';
import type { PlatformSettings, PlatformWork } from './platform-run.js';
import { reviewerAccessInput } from './reviewer-input.js';
import { stateDirFromInputs, twinFromInputs } from './step-context.js';

function readSettings(): PlatformSettings {
  const twin = twinFromInputs();
  const githubToken = takeSecretInput(Inputs.GithubToken);
  const layoutSpecFile = getOptionalInput(Inputs.LayoutSpec);
  const reviewerAccess = reviewerAccessInput();
  return {
    ...(reviewerAccess ? { reviewerAccess } : {}),
    specFile: getOptionalInput(Inputs.Spec) ?? 'twin.yaml',
    ...(layoutSpecFile ? { layoutSpecFile } : {}),
    ...(twin ? { twinInput: twin } : {}),
    stateDir: stateDirFromInputs(),
    tools: getChoiceInput(Inputs.Tools, ['pinned', 'path'] as const, 'pinned'),
    ...(githubToken ? { githubToken } : {}),
  };
}

/**
 * action-mesh's and action-day2's entry: the inputs are read and checked first, so a bad one is answered
 * before the work's code (the step graph, Kubernetes, helm: most of the bundle) is even loaded.
 */
export async function runPlatformAction(
  label: 'mesh' | 'day2',
  title: string,
  loadWork: () => Promise<PlatformWork>,
): Promise<void> {
  try {
    const settings = readSettings();
    const [{ runPlatform }, work] = await Promise.all([import('./platform-run.js'), loadWork()]);
    await runPlatform(settings, label, title, work);
  } catch (error) {
    core.setFailed(isConfigurationError(error) ? error.message : errorMessage(error));
  }
}
