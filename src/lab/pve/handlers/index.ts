import type { HandlerTable, LabContext } from './context.js';
import { accessHandlers } from './access.js';
import { agentHandlers } from './agent.js';
import { clusterHandlers } from './cluster.js';
import { datacenterHandlers } from './datacenter-options.js';
import { poolHandlers } from './pools.js';
import { powerFinishers, powerHandlers } from './power.js';
import { configFinishers, configHandlers } from './qemu-config.js';
import { createFinishers, createVm } from './qemu-create.js';
import { lifecycleFinishers, lifecycleHandlers } from './qemu-lifecycle.js';
import { pendingHandlers } from './qemu-pending.js';
import { storageConfigHandlers } from './storage-config.js';
import { storageFinishers, storageHandlers } from './storage.js';
import { taskHandlers } from './task-api.js';

/** Every endpoint the lab implements, by `METHOD /path/template`. */
export const HANDLERS: HandlerTable = {
  ...accessHandlers,
  ...clusterHandlers,
  ...datacenterHandlers,
  ...poolHandlers,
  ...storageConfigHandlers,
  ...storageHandlers,
  'POST /nodes/{node}/qemu': createVm,
  ...powerHandlers,
  ...configHandlers,
  ...pendingHandlers,
  ...lifecycleHandlers,
  ...agentHandlers,
  ...taskHandlers,
};

/** Tells the task scheduler what each kind of task does when it ends. */
export function registerFinishers(lab: LabContext): void {
  const finishers = {
    ...createFinishers(lab),
    ...configFinishers(lab),
    ...lifecycleFinishers(lab),
    ...powerFinishers(lab),
    ...storageFinishers(lab),
  };
  for (const [kind, finisher] of Object.entries(finishers)) lab.tasks.register(kind, finisher);
}
