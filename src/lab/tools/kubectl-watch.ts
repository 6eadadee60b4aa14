import { sleep } from '../clock.js';
import type { WorkloadStatus } from '../kube/clusters.js';
import type { KindInfo } from '../kube/kinds.js';
import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import type { ParsedArgs } from './flags.js';
import { boolFlag, stringFlag } from './flags.js';
import { JsonPathError, selectJsonPath } from './jsonpath.js';
import type { KubeTarget } from './kube-access.js';
import { requireAllowed, resourceRequest } from './kube-authz.js';
import type { ApiItem } from './kubectl-api.js';
import { allPods, findItem, listItems } from './kubectl-api.js';
import type { ResourceTarget, Run } from './kubectl-common.js';
import {
  POLL_SECONDS,
  kindLabel,
  labelSelector,
  namespaceOf,
  notFound,
  parseResources,
  timeoutMs,
} from './kubectl-common.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';

/** `kubectl rollout status` and `kubectl wait`: polling the lab's objects on lab time until done or timed out. */

interface Progress {
  message: string;
  done: boolean;
  /** What the lab adds to kubectl's bare timeout message: why the pods are not there. */
  why?: string;
}

async function pollUntil(call: ToolCall, deadline: number): Promise<boolean> {
  if (call.now() >= deadline) return false;
  await sleep(Math.min(call.talos.ms(POLL_SECONDS), Math.max(0, deadline - call.now())));
  return true;
}

export const rolloutStatus: Run = async (call, args, cluster) => {
  const target = await cluster();
  const namespace = namespaceOf(args, target);
  const { targets } = parseResources(call.kube.objects(target.clusterId), args.positionals);
  const [resource] = targets;
  if (!resource) throw new ToolFailure('error: required resource not specified');
  const asking = (verb: string) => resourceRequest(resource.info, verb, namespace, resource.name);
  requireAllowed(call, target, asking('get'), asking('list'), asking('watch'));
  const hasDeadline = stringFlag(args, 'timeout') !== undefined && timeoutMs(args, 0) > 0;
  const deadline = hasDeadline ? call.now() + timeoutMs(args, 0) : Infinity;
  let last = '';
  for (;;) {
    const progress = readRollout(call, target.clusterId, namespace, resource);
    if (progress.message !== last) call.out(progress.message);
    last = progress.message;
    if (progress.done || !boolFlag(args, 'watch', true)) return;
    if (!(await pollUntil(call, deadline)))
      throw new ToolFailure(
        `error: timed out waiting for the condition${progress.why ? `\n${progress.why}` : ''}`,
      );
  }
};

function readRollout(
  call: ToolCall,
  clusterId: string,
  namespace: string,
  { info, name }: ResourceTarget,
): Progress {
  if (!['Deployment', 'DaemonSet', 'StatefulSet'].includes(info.kind)) {
    const groupKind = info.group === '' ? info.kind : `${info.kind}.${info.group}`;
    throw new ToolFailure(`error: no status viewer has been implemented for ${groupKind}`);
  }
  // Cilium's agent DaemonSet and operator: the lab's model of them, whose failures name the container.
  const cilium = namespace === 'kube-system' ? ciliumWorkload(call, clusterId, info, name) : undefined;
  if (cilium) return ciliumProgress(info, name, cilium);
  const item = findItem(call, clusterId, info, namespace, name);
  if (!item) throw new ToolFailure(notFound(info, name));
  const progress = VIEWERS[info.kind]!(item);
  return { ...progress, ...(progress.done ? {} : withWhy(call, clusterId, item)) };
}

function ciliumWorkload(
  call: ToolCall,
  clusterId: string,
  info: KindInfo,
  name: string,
): WorkloadStatus | undefined {
  if (info.kind === 'DaemonSet' && name === 'cilium') return call.kube.ciliumDaemonSet(clusterId);
  if (info.kind === 'Deployment' && name === 'cilium-operator') return call.kube.ciliumOperator(clusterId);
  return undefined;
}

function ciliumProgress(info: KindInfo, name: string, status: WorkloadStatus): Progress {
  const daemon = info.kind === 'DaemonSet';
  const label = daemon ? 'daemon set' : 'deployment';
  const why = status.failure
    ? {
        why: `pods of ${label} "${name}" are ${status.failure.status}: ${status.failure.container}: ${status.failure.reason}`,
      }
    : {};
  const updated = status.updated ?? status.desired;
  const prefix = `Waiting for ${label} "${name}" rollout to finish: `;
  // kubectl's viewers: first the pods made from the new template, then their availability.
  if (updated < status.desired) {
    const what = daemon ? 'new pods have been updated' : 'new replicas have been updated';
    return { message: `${prefix}${updated} out of ${status.desired} ${what}...\n`, done: false, ...why };
  }
  if (status.ready >= status.desired)
    return { message: `${label} "${name}" successfully rolled out\n`, done: true };
  const unit = daemon ? 'pods' : 'replicas';
  return {
    message: `Waiting for ${label} "${name}" rollout to finish: ${status.ready} of ${status.desired} updated ${unit} are available...\n`,
    done: false,
    ...why,
  };
}

/** Why a workload's rollout does not finish: a refused pod creation, or the first pod that is not ready. */
function withWhy(call: ToolCall, clusterId: string, item: ApiItem): { why?: string } {
  const conditions = get(item.object, 'status.conditions');
  const failure = (Array.isArray(conditions) ? conditions.filter(isMap) : []).find(
    (condition) => condition.type === 'ReplicaFailure' && condition.status === 'True',
  );
  if (failure) return { why: `${String(failure.reason)}: Error creating: ${String(failure.message)}` };
  const label = { Deployment: 'deployment', DaemonSet: 'daemon set', StatefulSet: 'statefulset' }[
    item.info.kind
  ];
  const stuck = allPods(call, clusterId).find(
    (pod) =>
      pod.namespace === item.namespace &&
      pod.owner.kind === item.info.kind &&
      pod.owner.name === item.name &&
      !pod.ready &&
      pod.phase !== 'Terminating',
  );
  if (!stuck) return {};
  return {
    why: `pods of ${label} "${item.name}" are ${stuck.status}: ${stuck.containers[0]?.name ?? ''}: ${stuck.reason ?? stuck.status}`,
  };
}

const num = (value: unknown) => (typeof value === 'number' ? value : 0);

/** kubectl's status viewers (polymorphichelpers/rollout_status.go). */
const VIEWERS: Record<string, (item: ApiItem) => Progress> = {
  Deployment: (item) => {
    const { spec, status, generation, observed } = parts(item);
    if (generation > observed) return waiting('Waiting for deployment spec update to be observed...\n');
    const progressing = conditionOf(status, 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded')
      throw new ToolFailure(`error: deployment "${item.name}" exceeded its progress deadline`);
    const replicas = num(spec.replicas);
    const updated = num(status.updatedReplicas);
    const prefix = `Waiting for deployment "${item.name}" rollout to finish: `;
    if (updated < replicas)
      return waiting(`${prefix}${updated} out of ${replicas} new replicas have been updated...\n`);
    if (num(status.replicas) > updated)
      return waiting(`${prefix}${num(status.replicas) - updated} old replicas are pending termination...\n`);
    if (num(status.availableReplicas) < updated)
      return waiting(
        `${prefix}${num(status.availableReplicas)} of ${updated} updated replicas are available...\n`,
      );
    return { message: `deployment "${item.name}" successfully rolled out\n`, done: true };
  },
  DaemonSet: (item) => {
    const { spec, status, generation, observed } = parts(item);
    if (get(spec, 'updateStrategy.type') !== 'RollingUpdate')
      throw new ToolFailure('error: rollout status is only available for RollingUpdate strategy type');
    if (generation > observed) return waiting('Waiting for daemon set spec update to be observed...\n');
    const desired = num(status.desiredNumberScheduled);
    const prefix = `Waiting for daemon set "${item.name}" rollout to finish: `;
    if (num(status.updatedNumberScheduled) < desired)
      return waiting(
        `${prefix}${num(status.updatedNumberScheduled)} out of ${desired} new pods have been updated...\n`,
      );
    if (num(status.numberAvailable) < desired)
      return waiting(`${prefix}${num(status.numberAvailable)} of ${desired} updated pods are available...\n`);
    return { message: `daemon set "${item.name}" successfully rolled out\n`, done: true };
  },
  StatefulSet: (item) => {
    const { spec, status, generation, observed } = parts(item);
    if (get(spec, 'updateStrategy.type') !== 'RollingUpdate')
      throw new ToolFailure('error: rollout status is only available for RollingUpdate strategy type');
    if (observed === 0 || generation > observed)
      return waiting('Waiting for statefulset spec update to be observed...\n');
    const replicas = num(spec.replicas);
    if (num(status.readyReplicas) < replicas)
      return waiting(`Waiting for ${replicas - num(status.readyReplicas)} pods to be ready...\n`);
    const partition = get(spec, 'updateStrategy.rollingUpdate.partition');
    if (isMap(get(spec, 'updateStrategy.rollingUpdate'))) {
      if (typeof partition === 'number' && num(status.updatedReplicas) < replicas - partition)
        return waiting(
          `Waiting for partitioned roll out to finish: ${num(status.updatedReplicas)} out of ${replicas - partition} new pods have been updated...\n`,
        );
      return {
        message: `partitioned roll out complete: ${num(status.updatedReplicas)} new pods have been updated...\n`,
        done: true,
      };
    }
    if (status.updateRevision !== status.currentRevision)
      return waiting(
        `waiting for statefulset rolling update to complete ${num(status.updatedReplicas)} pods at revision ${String(status.updateRevision)}...\n`,
      );
    return {
      message: `statefulset rolling update complete ${num(status.currentReplicas)} pods at revision ${String(status.currentRevision)}...\n`,
      done: true,
    };
  },
};

function waiting(message: string): Progress {
  return { message, done: false };
}

function parts(item: ApiItem): { spec: Doc; status: Doc; generation: number; observed: number } {
  const spec = isMap(item.object.spec) ? item.object.spec : {};
  const status = isMap(item.object.status) ? item.object.status : {};
  return {
    spec,
    status,
    generation: num(get(item.object, 'metadata.generation')),
    observed: num(status.observedGeneration),
  };
}

function conditionOf(status: Doc, type: string): Doc | undefined {
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isMap) : [];
  return conditions.find((condition) => String(condition.type).toLowerCase() === type.toLowerCase());
}

// ---- kubectl wait ---------------------------------------------------------------------------------------

type WaitFor =
  | { kind: 'condition'; type: string; value: string }
  | { kind: 'jsonpath'; expression: string; value?: string }
  | { kind: 'delete' }
  | { kind: 'create' };

function parseWaitFor(text: string): WaitFor {
  if (text === 'delete' || text === 'create') return { kind: text };
  const condition = /^condition=([^=]+)(?:=(.*))?$/.exec(text);
  if (condition) return { kind: 'condition', type: condition[1] ?? '', value: condition[2] ?? 'True' };
  if (text.startsWith('jsonpath=')) return parseJsonPathWait(text.slice('jsonpath='.length));
  throw new ToolFailure(`error: unrecognized condition: "${text}"`);
}

/** `{.status.x}=VALUE` (or `.status.x=VALUE`); without `=VALUE` the field only has to exist. */
function parseJsonPathWait(text: string): WaitFor {
  const close = text.startsWith('{') ? text.indexOf('}') + 1 : 0;
  const split = text.indexOf('=', close);
  const raw = split < 0 ? text : text.slice(0, split);
  const value = split < 0 ? undefined : text.slice(split + 1);
  if (value === '') throw new ToolFailure('error: jsonpath wait has to have a value after equal sign');
  if (!/^\{?\.?[^{}]+\}?$/.test(raw))
    throw new ToolFailure(
      "error: unable to parse JSONPath expression: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'",
    );
  const inner = raw.replace(/^\{/, '').replace(/\}$/, '');
  return {
    kind: 'jsonpath',
    expression: `{${inner.startsWith('.') ? inner : `.${inner}`}}`,
    ...(value === undefined ? {} : { value }),
  };
}

function met(waitFor: WaitFor, item: ApiItem | undefined): boolean {
  switch (waitFor.kind) {
    case 'delete':
      return item === undefined;
    case 'create':
      return item !== undefined;
    case 'condition': {
      const found = item
        ? conditionOf(isMap(item.object.status) ? item.object.status : {}, waitFor.type)
        : undefined;
      return found !== undefined && String(found.status).toLowerCase() === waitFor.value.toLowerCase();
    }
    case 'jsonpath':
      return item !== undefined && jsonPathMet(waitFor, item.object);
  }
}

function jsonPathMet(waitFor: Extract<WaitFor, { kind: 'jsonpath' }>, object: Doc): boolean {
  let values: unknown[];
  try {
    values = selectJsonPath(waitFor.expression, JSON.parse(JSON.stringify(object)));
  } catch (error) {
    if (error instanceof JsonPathError) throw new ToolFailure(`error: ${error.message}`);
    throw error;
  }
  if (values.length > 1)
    throw new ToolFailure('error: given jsonpath expression matches more than one value');
  if (values.length === 0) return false;
  if (waitFor.value === undefined) return true;
  if (typeof values[0] === 'object' && values[0] !== null)
    throw new ToolFailure('error: jsonpath leads to a nested object or list which is not supported');
  return String(values[0]).trim() === waitFor.value.trim();
}

export const wait: Run = async (call, args, cluster) => {
  const waitFor = parseWaitFor(stringFlag(args, 'for') ?? '');
  const target = await cluster();
  const namespace = namespaceOf(args, target);
  const targets = waitTargets(call, args, target, namespace);
  const deadline = call.now() + timeoutMs(args, 30);
  for (const { info, name } of targets) {
    // kubectl wait lists the object by a metadata.name field selector, then watches from that list's
    // resourceVersion (kubectl pkg/cmd/wait): it needs list and watch, and never gets the object.
    const asking = (verb: string) => resourceRequest(info, verb, namespace, name);
    requireAllowed(call, target, asking('list'), asking('watch'));
    const fetch = () => findItem(call, target.clusterId, info, namespace, name);
    if (!fetch() && (waitFor.kind === 'condition' || waitFor.kind === 'jsonpath'))
      throw new ToolFailure(notFound(info, name));
    if (!fetch() && waitFor.kind === 'delete') continue;
    while (!met(waitFor, fetch())) {
      if (!(await pollUntil(call, deadline)))
        throw new ToolFailure(`error: timed out waiting for the condition on ${info.plural}/${name}`);
    }
    call.out(`${kindLabel(info)}/${name} condition met\n`);
  }
};

function waitTargets(
  call: ToolCall,
  args: ParsedArgs,
  target: KubeTarget,
  namespace: string,
): ResourceTarget[] {
  const clusterId = target.clusterId;
  const { targets, kinds } = parseResources(call.kube.objects(clusterId), args.positionals);
  if (targets.length > 0) return targets;
  const selector = stringFlag(args, 'selector');
  if (kinds.length === 0 || (!boolFlag(args, 'all') && selector === undefined))
    throw new ToolFailure('error: resource(s) were provided, but no name was specified');
  requireAllowed(call, target, ...kinds.map((info) => resourceRequest(info, 'list', namespace)));
  const matches = labelSelector(selector);
  const found = kinds.flatMap((info) =>
    listItems(call, clusterId, info, info.namespaced ? namespace : undefined)
      .filter((item) =>
        matches((get(item.object, 'metadata.labels') as Record<string, string> | undefined) ?? {}),
      )
      .map((item) => ({ info, name: item.name })),
  );
  if (found.length === 0) throw new ToolFailure('error: no matching resources found');
  return found;
}
