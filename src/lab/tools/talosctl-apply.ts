import { diffConfigs, immediateProblem } from '../talos/config-diff.js';
import type { TalosNode } from '../talos/nodes.js';
import { applyPatches } from '../talos/patch.js';
import { isRelease, parseVersion } from '../talos/releases.js';
import { configProblems } from '../talos/validate.js';
import type { Doc } from '../talos/yaml-docs.js';
import { mainDocument, parseDocuments, renderDocuments } from '../talos/yaml-docs.js';
import type { ParsedArgs } from './flags.js';
import { boolFlag, listFlag, stringFlag } from './flags.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';
import { APID_PORT, dialInsecure, dialSecure, proxyTo } from './talos-dial.js';

/**
 * `talosctl apply-config` (LIFECYCLE F.3, F.9; TALOS v1.13.9 `v1alpha1_server.go` ApplyConfiguration
 * l.178-349): the config is validated against the schema of the release the node runs; on a configured
 * node the mode decides (CanApplyImmediate for auto/no-reboot/try), `--dry-run` answers with the diff,
 * and talosctl prints the mode details on stderr.
 */

/** The modes of `--mode`, as the API names them; the maintenance service takes only three. */
const MODES: Record<string, string> = {
  auto: 'AUTO',
  interactive: 'INTERACTIVE',
  'no-reboot': 'NO_REBOOT',
  reboot: 'REBOOT',
  staged: 'STAGED',
  try: 'TRY',
};
const MAINTENANCE_MODES = ['AUTO', 'REBOOT', 'TRY'];

const WITHOUT_REBOOT = 'Applied configuration without a reboot';
const WITH_REBOOT = 'Applied configuration with a reboot';
const STAGED = 'Staged configuration to be applied after the next reboot';
/** `constants.ConfigTryTimeout`. */
const TRY_TIMEOUT = '1m0s';

const rpc = (code: string, desc: string) => new ToolFailure(`rpc error: code = ${code} desc = ${desc}`);

/** A file plus `--config-patch`es, as talosctl reads them. */
function readConfig(
  call: ToolCall,
  args: ParsedArgs,
  readPatch: (call: ToolCall, value: string) => Doc[],
): Doc[] {
  const file = stringFlag(args, 'file');
  if (!file) throw new ToolFailure('no filename supplied for configuration');
  const docs = parseDocuments(call.read(file), file);
  const patches = listFlag(args, 'config-patch');
  return patches.length === 0
    ? docs
    : applyPatches(
        docs,
        patches.map((patch) => readPatch(call, patch)),
      );
}

export async function applyConfig(
  call: ToolCall,
  args: ParsedArgs,
  readPatch: (call: ToolCall, value: string) => Doc[],
): Promise<void> {
  const modeName = stringFlag(args, 'mode') ?? 'auto';
  const mode = MODES[modeName];
  if (!mode)
    throw new ToolFailure(
      `invalid argument "${modeName}" for "-m, --mode" flag: possible options are: [auto interactive no-reboot reboot staged try]`,
    );
  const docs = readConfig(call, args, readPatch);
  const dryRun = boolFlag(args, 'dry-run');
  try {
    if (boolFlag(args, 'insecure')) {
      const { node } = await dialInsecure(call, args);
      if (!MAINTENANCE_MODES.includes(mode)) {
        throw rpc(
          'Unimplemented',
          `apply configuration in "${mode}" mode is not supported in maintenance mode`,
        );
      }
      acceptInMaintenance(call, node, docs, dryRun);
      return;
    }
    const target = await dialSecure(call, args);
    const node = await proxyTo(call, target.endpoint, target.nodes[0] ?? target.endpoint.addresses[0] ?? '');
    call.err(`${applyRunning(call, node, docs, mode, dryRun)}\n`);
  } catch (error) {
    if (error instanceof ToolFailure)
      throw new ToolFailure(`error applying new configuration: ${error.message}`);
    throw error;
  }
}

/** Talos in maintenance mode validates the config it is sent, then installs it and reboots into it. */
function acceptInMaintenance(call: ToolCall, node: TalosNode, docs: Doc[], dryRun: boolean): void {
  const problem = configProblems(docs, releaseOf(node));
  if (problem) throw rpc('InvalidArgument', problem);
  if (dryRun) return;
  call.talos.apply(node.vm, renderDocuments(docs));
  if (call.talos.faults.talosReset()) {
    // The node took the config and went down to reboot before the answer was written.
    throw rpc(
      'Unavailable',
      `error reading from server: read tcp 10.0.0.1:51820->${node.addresses[0] ?? ''}:${APID_PORT}: read: connection reset by peer`,
    );
  }
}

function releaseOf(node: TalosNode) {
  return isRelease(node.release) ? node.release : undefined;
}

/** F.9: Talos 1.12+ refuses an apply while the reboot of a previous apply is under way. */
function refusesWhileRebooting(call: ToolCall, node: TalosNode): boolean {
  const version = parseVersion(node.release);
  const since112 = version !== undefined && (version[0] > 1 || version[1] >= 12);
  return since112 && node.transition?.afterApply === true && node.transition.downAt > call.now();
}

/** The configured node's ApplyConfiguration: the ModeDetails it answers (printed on stderr). */
function applyRunning(call: ToolCall, node: TalosNode, docs: Doc[], mode: string, dryRun: boolean): string {
  if (refusesWhileRebooting(call, node)) {
    throw rpc(
      'FailedPrecondition',
      'configuration was already applied and node is rebooting, cannot apply more configuration changes until next reboot',
    );
  }
  const problem = configProblems(docs, releaseOf(node));
  if (problem) throw rpc('InvalidArgument', problem);
  const next = mainDocument(docs);
  if (!next) {
    throw rpc(
      'InvalidArgument',
      "the applied machine configuration doesn't contain v1alpha1 config, did you mean to patch the machine config instead?",
    );
  }
  if (mode === 'INTERACTIVE')
    throw new ToolFailure("incorrect mode 'INTERACTIVE' specified for the apply config call");
  const immediate = immediateProblem(node.config ?? {}, next);
  let how: 'no-reboot' | 'reboot' | 'staged';
  let details: string;
  let reason = '';
  if (mode === 'TRY' || mode === 'NO_REBOOT') {
    if (immediate) throw rpc('InvalidArgument', immediate);
    [how, details] = ['no-reboot', WITHOUT_REBOOT];
  } else if (mode === 'STAGED') [how, details] = ['staged', STAGED];
  else if (mode === 'AUTO' && !immediate) [how, details] = ['no-reboot', WITHOUT_REBOOT];
  else {
    [how, details] = ['reboot', WITH_REBOOT];
    if (mode === 'AUTO') reason = `: ${immediate ?? ''}`;
  }
  if (dryRun) {
    const diff = diffConfigs(node.docs ?? [], docs);
    return `Dry run summary:\n${details} (skipped in dry-run).\nConfig diff:\n\n${diff === '' ? 'No changes.' : diff}`;
  }
  // The lab does not roll a `try` config back after its timeout: it is kept like a no-reboot apply.
  call.talos.applyRunning(node, renderDocuments(docs), how);
  if (mode === 'TRY') {
    return `${details}\nThe config is applied in 'try' mode and will be automatically reverted back in ${TRY_TIMEOUT}`;
  }
  return `${details}${reason}`;
}
