import { ROOT } from '../access/evaluate.js';
import type { TaskAction, TaskRecord, VmRecord } from '../state.js';
import type { TaskFinisher, TaskOutput } from '../tasks.js';
import type { ApiRequest, HandlerTable, LabContext } from './context.js';
import { boolParam, fail, intParam, ok, refuseRootOnly, requireInt } from './context.js';
import { parseAgentEnabled } from './agent.js';
import { nodeMemoryUsed, vmMemoryBytes, vmStatus } from './usage.js';
import { checkLock, configMissingMessage, effectiveConfig, loadVm } from './vm.js';
import type { WorkerPlan } from './worker.js';
import { failAt, forkWorker, holdVmLockUntil, lockVmConfig } from './worker.js';

export const powerHandlers: HandlerTable = {
  'GET /nodes/{node}/qemu': listVms,
  'GET /nodes/{node}/qemu/{vmid}/status/current': currentStatus,
  'POST /nodes/{node}/qemu/{vmid}/status/start': startVm,
  'POST /nodes/{node}/qemu/{vmid}/status/stop': stopVm,
  'POST /nodes/{node}/qemu/{vmid}/status/shutdown': shutdownVm,
  'POST /nodes/{node}/qemu/{vmid}/status/reboot': rebootVm,
};

interface PowerAction extends TaskAction {
  kind: 'qmstart' | 'qmstop' | 'qmshutdown' | 'qmreboot';
  node: string;
  vmid: number;
}

/**
 * Qemu.pm vmlist: the node's VMs the caller has VM.Audit on (P.7). A VM whose create still runs is
 * no pool member yet, so a caller whose rights come from the pool does not see it.
 */
function listVms(lab: LabContext, req: ApiRequest) {
  const node = req.params.node ?? '';
  const model = lab.state.access.model;
  return ok(
    lab.state
      .vms()
      .filter((vm) => vm.node === node && model.has(req.user, `/vms/${vm.vmid}`, ['VM.Audit']))
      .map((vm) => vmStatus(lab, vm)),
  );
}

function currentStatus(lab: LabContext, req: ApiRequest) {
  const vm = loadVm(lab, req.params.node ?? '', requireInt(req.params, 'vmid'));
  return ok({
    ...vmStatus(lab, vm),
    ha: { managed: 0 },
    ...(parseAgentEnabled(lab, vm.config) ? { agent: 1 } : {}),
  });
}

/** Why vm_start refuses, checked when the worker holds the config lock. */
function startProblem(vm: VmRecord | undefined, node: string, vmid: number): string | undefined {
  if (!vm || vm.node !== node) return configMissingMessage(node, vmid);
  if (vm.config.lock) return `VM is locked (${vm.config.lock})`;
  if (vm.status === 'running') return `VM ${vmid} already running`;
  if (vm.config.template === '1') return "you can't start a vm if it's a template";
  return undefined;
}

function startVm(lab: LabContext, req: ApiRequest) {
  refuseRootOnly(req, [
    'stateuri',
    'skiplock',
    'migratedfrom',
    'migration_type',
    'migration_network',
    'targetstorage',
    'force-cpu',
    'with-conntrack-state',
    'nets-host-mtu',
  ]);
  return ok(forkStart(lab, req.params.node ?? '', requireInt(req.params, 'vmid'), req.user));
}

/** A qmstart worker: vm_start under the config lock. Also used by create with start=1. */
export function forkStart(lab: LabContext, node: string, vmid: number, user: string): string {
  return forkWorker(lab, { node, type: 'qmstart', id: String(vmid), user }, (worker) => {
    const lock = lockVmConfig(lab, worker, node, vmid, lab.timing.profile.seconds.configLockTimeout);
    if (!lock.ok) return failAt(worker, lock.failedAt, lock.message);
    worker.task.action = { kind: 'qmstart', node, vmid } satisfies PowerAction;
    const problem =
      lock.grantedAt === worker.startAt ? startProblem(lab.state.vm(vmid), node, vmid) : undefined;
    if (problem !== undefined) return failAt(worker, lock.grantedAt, problem);
    holdVmLockUntil(
      lab,
      worker,
      node,
      vmid,
      lock.grantedAt + lab.timing.ms(lab.timing.profile.seconds.vmStart) * worker.slow,
    );
  });
}

function stopVm(lab: LabContext, req: ApiRequest) {
  refuseRootOnly(req, ['skiplock', 'keepActive', 'migratedfrom']);
  const node = req.params.node ?? '';
  const vmid = requireInt(req.params, 'vmid');
  const overrule = boolParam(req.params, 'overrule-shutdown');
  const upid = forkWorker(lab, { node, type: 'qmstop', id: String(vmid), user: req.user }, (worker) => {
    if (overrule) overruleShutdowns(lab, worker, vmid);
    const lock = lockVmConfig(lab, worker, node, vmid, lab.timing.profile.seconds.configLockTimeout);
    if (!lock.ok) return failAt(worker, lock.failedAt, lock.message);
    worker.task.action = { kind: 'qmstop', node, vmid } satisfies PowerAction;
    holdVmLockUntil(
      lab,
      worker,
      node,
      vmid,
      lock.grantedAt + lab.timing.ms(lab.timing.profile.seconds.vmStop) * worker.slow,
    );
  });
  return ok(upid);
}

/** overrule-shutdown: abort_guest_tasks ends this VM's running qmshutdown tasks first. */
function overruleShutdowns(lab: LabContext, worker: WorkerPlan, vmid: number): void {
  const shutdowns = lab.tasks
    .running()
    .filter((task) => task.type === 'qmshutdown' && task.id === String(vmid));
  for (const task of shutdowns) lab.tasks.abort(task.upid, 'interrupted by signal', worker.startAt);
  if (shutdowns.length > 0) {
    worker.task.log.push({
      at: worker.startAt,
      text: `overruled qmshutdown tasks: ${shutdowns.map((task) => task.upid).join(', ')}`,
    });
  }
}

function shutdownVm(lab: LabContext, req: ApiRequest) {
  refuseRootOnly(req, ['skiplock', 'keepActive']);
  const node = req.params.node ?? '';
  const vmid = requireInt(req.params, 'vmid');
  const shutdown = { timeoutMs: shutdownTimeoutMs(lab, req), forceStop: boolParam(req.params, 'forceStop') };
  const upid = forkWorker(lab, { node, type: 'qmshutdown', id: String(vmid), user: req.user }, (worker) => {
    worker.task.action = { kind: 'qmshutdown', node, vmid } satisfies PowerAction;
    planShutdown(lab, worker, node, vmid, shutdown);
  });
  return ok(upid);
}

/** `timeout` or PVE's 60 s default for the guest to power off. */
function shutdownTimeoutMs(lab: LabContext, req: ApiRequest): number {
  return lab.timing.ms(intParam(req.params, 'timeout') ?? lab.timing.profile.seconds.shutdownTimeout);
}

/**
 * _do_vm_stop with `shutdown` under the config lock: an ACPI/agent shutdown the guest may ignore;
 * after the timeout a forced stop, or the task fails and the VM keeps running.
 */
function planShutdown(
  lab: LabContext,
  worker: WorkerPlan,
  node: string,
  vmid: number,
  { timeoutMs, forceStop }: { timeoutMs: number; forceStop: boolean },
): void {
  const seconds = lab.timing.profile.seconds;
  const lock = lockVmConfig(lab, worker, node, vmid, seconds.configLockTimeout);
  if (!lock.ok) return failAt(worker, lock.failedAt, lock.message);
  const vm = lab.state.vm(vmid);
  const running = vm?.status === 'running' || startPending(lab, vmid);
  const powerOffMs = lab.timing.ms(seconds.guestShutdown) * worker.slow;
  const reacts = (vm?.guest.reactsToShutdown ?? true) && powerOffMs <= timeoutMs;
  if (!running || reacts) {
    return holdVmLockUntil(lab, worker, node, vmid, lock.grantedAt + (running ? powerOffMs : 0));
  }
  const gaveUpAt = lock.grantedAt + timeoutMs;
  holdVmLockUntil(lab, worker, node, vmid, gaveUpAt);
  if (!forceStop) return failAt(worker, gaveUpAt, 'VM quit/powerdown failed - got timeout');
  worker.task.log.push({ at: gaveUpAt, text: 'VM still running - terminating now with SIGTERM' });
}

/**
 * Qemu.pm vm_reboot: refused at once for a VM that is not running; otherwise a qmreboot task that
 * shuts the guest down (never forced) with a reboot request. qmeventd's cleanup then starts the VM
 * again as root@pam in a qmstart task of its own, which applies the pending changes.
 */
function rebootVm(lab: LabContext, req: ApiRequest) {
  const node = req.params.node ?? '';
  const vmid = requireInt(req.params, 'vmid');
  const vm = lab.state.vm(vmid);
  // check_running's assert_config_exists_on_node, not load_config: its own text.
  if (!vm || vm.node !== node) fail(`unable to find configuration file for VM ${vmid} on node '${node}'`);
  if (vm.status !== 'running') fail(`VM ${vmid} not running`);
  const shutdown = { timeoutMs: shutdownTimeoutMs(lab, req), forceStop: false };
  const upid = forkWorker(lab, { node, type: 'qmreboot', id: String(vmid), user: req.user }, (worker) => {
    worker.task.action = { kind: 'qmreboot', node, vmid } satisfies PowerAction;
    planShutdown(lab, worker, node, vmid, shutdown);
  });
  return ok(upid);
}

/** A qmstart for this VM is still running, so a shutdown planned now will find it up. */
function startPending(lab: LabContext, vmid: number): boolean {
  return lab.tasks.running().some((task) => task.type === 'qmstart' && task.id === String(vmid));
}

/** Starts a VM at `out.at`: applies its pending changes and needs its memory free on the node. */
function powerOn(lab: LabContext, vm: VmRecord, out: TaskOutput): void {
  const problem = startProblem(vm, vm.node, vm.vmid);
  if (problem !== undefined) throw new Error(problem);
  vm.config = effectiveConfig(vm);
  vm.pending = {};
  vm.pendingDelete = [];
  const node = lab.state.node(vm.node);
  if (node && nodeMemoryUsed(lab, vm.node) + vmMemoryBytes(vm) > node.memoryBytes) {
    out.log("kvm: cannot set up guest memory 'pc.ram': Cannot allocate memory");
    throw new Error('start failed: QEMU exited with code 1');
  }
  vm.status = 'running';
  vm.startedAt = out.at;
  vm.pid = 10_000 + ((vm.vmid * 7919) % 900_000);
  vm.guest.agentRunning = false;
}

function powerOff(vm: VmRecord): void {
  vm.status = 'stopped';
  delete vm.startedAt;
  delete vm.pid;
  vm.guest.agentRunning = false;
}

export function powerFinishers(lab: LabContext): Record<string, TaskFinisher> {
  const vmOf = (task: TaskRecord) => {
    const { node, vmid } = task.action as PowerAction;
    return loadVm(lab, node, vmid);
  };
  const stop: TaskFinisher = {
    finish(task) {
      const vm = vmOf(task);
      checkLock(vm);
      powerOff(vm);
    },
  };
  const reboot: TaskFinisher = {
    // vm_reboot acts only on a running VM (a stopped one stays stopped: qmeventd would not restart it).
    finish(task) {
      const vm = vmOf(task);
      if (vm.status !== 'running') return;
      checkLock(vm);
      powerOff(vm);
      forkStart(lab, vm.node, vm.vmid, ROOT);
    },
  };
  return {
    qmstart: { finish: (task, out) => powerOn(lab, vmOf(task), out) },
    qmstop: stop,
    qmshutdown: stop,
    qmreboot: reboot,
  };
}
