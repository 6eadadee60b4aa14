import type { Options } from './args.js';
import { diagnoseCommand, DIAGNOSE_OPTIONS, DIAGNOSE_USAGE } from './commands/diagnose.js';
import { doctorCommand, DOCTOR_OPTIONS, DOCTOR_USAGE } from './commands/doctor.js';
import { labCommand, LAB_OPTIONS, LAB_USAGE } from './commands/lab.js';
import { listCommand, LIST_OPTIONS, LIST_USAGE } from './commands/list.js';
import { planCommand, PLAN_OPTIONS, PLAN_USAGE } from './commands/plan.js';
import { renderCommand, RENDER_OPTIONS, RENDER_USAGE } from './commands/render.js';
import { stateCommand, STATE_COMMAND_OPTIONS, STATE_COMMAND_USAGE } from './commands/state.js';
import { statusCommand, STATUS_OPTIONS, STATUS_USAGE } from './commands/status.js';
import { downCommand, DOWN_OPTIONS, DOWN_USAGE, upCommand, UP_OPTIONS, UP_USAGE } from './commands/up.js';
import { validateCommand, VALIDATE_OPTIONS, VALIDATE_USAGE } from './commands/validate.js';
import { versionCommand, VERSION_OPTIONS, VERSION_USAGE } from './commands/version.js';
import type { Io } from './output.js';

export interface CliCommand {
  run: (args: string[], io: Io) => Promise<number>;
  /** What `twin <command> --help` prints: it names every one of `options`. */
  usage: string;
  options: Options;
  /** One line of `twin --help`. */
  summary: string;
}

export const COMMANDS: Record<string, CliCommand> = {
  validate: {
    run: validateCommand,
    usage: VALIDATE_USAGE,
    options: VALIDATE_OPTIONS,
    summary: 'check a twin spec; errors name file:line:column, the field and the fix',
  },
  doctor: {
    run: doctorCommand,
    usage: DOCTOR_USAGE,
    options: DOCTOR_OPTIONS,
    summary: 'check the Proxmox token has every right a twin needs; prints the pveum commands for the rest',
  },
  plan: {
    run: planCommand,
    usage: PLAN_USAGE,
    options: PLAN_OPTIONS,
    summary: 'what applying a twin would create, keep, change and destroy',
  },
  render: {
    run: renderCommand,
    usage: RENDER_USAGE,
    options: RENDER_OPTIONS,
    summary: 'write every generated artifact of a twin as files',
  },
  up: {
    run: upCommand,
    usage: UP_USAGE,
    options: UP_OPTIONS,
    summary: 'create or converge a twin: VMs, Talos, Cilium, nodes Ready',
  },
  down: {
    run: downCommand,
    usage: DOWN_USAGE,
    options: DOWN_OPTIONS,
    summary: 'destroy a twin and prove nothing of it is left',
  },
  status: {
    run: statusCommand,
    usage: STATUS_USAGE,
    options: STATUS_OPTIONS,
    summary: 'what exists of a twin (VMs, slot, node readiness); --all is twin list',
  },
  list: {
    run: listCommand,
    usage: LIST_USAGE,
    options: LIST_OPTIONS,
    summary: "every twin: slot, age, expiry, VMs, cores, memory, disk, health; the PVE nodes' free capacity",
  },
  diagnose: {
    run: diagnoseCommand,
    usage: DIAGNOSE_USAGE,
    options: DIAGNOSE_OPTIONS,
    summary:
      "write a twin's diagnostics bundle: Talos, Kubernetes, Cilium and Ceph status and logs, redacted",
  },
  state: {
    run: stateCommand,
    usage: STATE_COMMAND_USAGE,
    options: STATE_COMMAND_OPTIONS,
    summary: "move a twin's state between stores: export to a 0600 file, import into another store",
  },
  lab: {
    run: labCommand,
    usage: LAB_USAGE,
    options: LAB_OPTIONS,
    summary: 'run or stop the embedded simulated lab',
  },
  version: {
    run: versionCommand,
    usage: VERSION_USAGE,
    options: VERSION_OPTIONS,
    summary: "twin's version and Node.js's (also --version)",
  },
};
