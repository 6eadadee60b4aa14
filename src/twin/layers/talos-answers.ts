import { WaitTimeoutError, waitUntil } from '../../kube/readiness.js';
import type { NodeVersion } from '../../talos/talosctl.js';
import type { ClusterLayerDeps } from './steps.js';

/**
 * Each node's `talosctl version`, waiting (bounded by the boot timeout) for nodes whose VM runs but whose
 * Talos does not answer yet: a node rebooting into an upgrade a killed run started (F.1 `--wait=false`)
 * answers again within a boot. A node whose VM is stopped is not waited for, so `plan` of a stopped twin
 * answers at once. Nodes still silent at the deadline are returned unknown, with how long they were awaited.
 */
export async function versionsOnceAnswering(
  deps: ClusterLayerDeps,
  talosconfig: string,
  nodes: { name: string; address: string }[],
  running: ReadonlySet<string>,
): Promise<NodeVersion[]> {
  const now = deps.now ?? Date.now;
  const answers = new Map<string, NodeVersion>();
  const record = (versions: NodeVersion[]) => versions.forEach((answer) => answers.set(answer.node, answer));
  record(
    await deps.talosctl.versions(
      talosconfig,
      nodes.map((node) => node.address),
    ),
  );

  const silent = () =>
    nodes.filter(
      (node) => running.has(node.name) && 'unknown' in (answers.get(node.address) ?? { unknown: '' }),
    );
  const awaited = silent();
  if (awaited.length === 0) return nodes.map((node) => answers.get(node.address)!);

  const timeoutMs = deps.pace.bootTimeoutMs;
  const started = now();
  deps.log(
    `${awaited.map((node) => node.name).join(', ')}: the VM runs but Talos does not answer yet ` +
      `(rebooting?); waiting up to ${Math.round(timeoutMs / 1000)} s`,
  );
  try {
    await waitUntil(
      async () => {
        const waiting = silent();
        if (waiting.length > 0)
          record(
            await deps.talosctl.versions(
              talosconfig,
              waiting.map((node) => node.address),
            ),
          );
        return silent().length === 0;
      },
      {
        timeoutMs,
        intervalMs: deps.pace.pollMs,
        describe: 'silent nodes to answer Talos',
        ...(deps.now ? { now: deps.now } : {}),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
      },
    );
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error; // still silent: reported below as unknown
  }
  const seconds = Math.round((now() - started) / 1000);
  return nodes.map((node) => {
    const answer = answers.get(node.address)!;
    if (!('unknown' in answer) || !running.has(node.name)) return answer;
    return { node: node.address, unknown: `${answer.unknown} (its VM runs; awaited ${seconds} s)` };
  });
}
