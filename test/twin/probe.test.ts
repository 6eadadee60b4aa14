import { describe, expect, it } from 'vitest';
import { runnerOver, type CommandResult } from '../../src/exec/runner.js';
import { Kubectl } from '../../src/kube/kubectl.js';
import { AvailabilityProbe, formatProbeFigures } from '../../src/twin/probe.js';

/**
 * kubectl over a fake launcher: each exec takes a few ms and answers by what it asks; the calls are recorded
 * with the most execs a cluster ever had in flight.
 */
function fakeClusters(
  answer: (kubeconfig: string, args: string[], call: number) => Partial<CommandResult> | Error,
) {
  const calls: string[] = [];
  const inFlight = new Map<string, number>();
  const mostInFlight = new Map<string, number>();
  let count = 0;
  const runner = runnerOver(async (_tool, args) => {
    const kubeconfig = args[1]!;
    inFlight.set(kubeconfig, (inFlight.get(kubeconfig) ?? 0) + 1);
    mostInFlight.set(kubeconfig, Math.max(mostInFlight.get(kubeconfig) ?? 0, inFlight.get(kubeconfig)!));
    calls.push(`${kubeconfig} ${args.slice(2, 6).join(' ')} ${args.at(-1)}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
    inFlight.set(kubeconfig, inFlight.get(kubeconfig)! - 1);
    const result = answer(kubeconfig, args, count++);
    if (result instanceof Error) throw result;
    return { exitCode: 0, stdout: '', stderr: '', ...result };
  });
  const clusters = ['east', 'west'].map((name) => ({
    name,
    kubectl: new Kubectl(runner, { kubeconfig: name }),
  }));
  return { clusters, calls, mostInFlight };
}

const reply = (cluster: string, n: number) => `{"Galaxy": "Alderaan", "Cluster": "${cluster}"}\n`.repeat(n);

describe('availability probe', () => {
  it('samples the demo and the mesh check from every cluster, one exec at a time, and counts', async () => {
    const { clusters, calls, mostInFlight } = fakeClusters((kubeconfig, args) => {
      const host = args.at(-1)!;
      // west's echo service in east answers 3 of 5; everything else answers all.
      if (kubeconfig === 'east' && host === 'http://echo-west/')
        return { stdout: reply('west', 3), stderr: 'curl: (28) timeout\n'.repeat(2), exitCode: 28 };
      return { stdout: reply(host.includes('echo-east') ? 'east' : 'west', 5) };
    });
    const probe = new AvailabilityProbe({ clusters, starwars: true, mesh: true, intervalMs: 1 });
    probe.start();
    await new Promise((resolve) => setTimeout(resolve, 60));
    const figures = await probe.stop();
    const after = calls.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls.length).toBe(after); // stopped means stopped
    expect([...mostInFlight.values()]).toEqual([1, 1]);
    expect(calls.slice(0, 4).sort()).toEqual([
      'east -n starwars exec deploy/x-wing http://rebel-base/',
      'east -n twin-mesh-check exec deploy/mesh-probe http://echo-west/',
      'west -n starwars exec deploy/x-wing http://rebel-base/',
      'west -n twin-mesh-check exec deploy/mesh-probe http://echo-east/',
    ]);
    const east = figures[0]!;
    const eastMeshSamples = calls.filter((c) => c.startsWith('east') && c.endsWith('echo-west/')).length;
    const eastSamples = calls.filter((c) => c.startsWith('east')).length;
    expect(east).toEqual({
      cluster: 'east',
      sent: eastSamples * 5,
      answered: eastSamples * 5 - eastMeshSamples * 2,
      failed: eastMeshSamples * 2,
      errors: 0,
    });
    expect(figures[1]).toMatchObject({ cluster: 'west', failed: 0 });
    expect(figures[1]!.sent).toBeGreaterThan(0);
  });

  it('counts an exec that cannot run as a failed sample and goes on', async () => {
    const { clusters } = fakeClusters((kubeconfig, _args, call) =>
      kubeconfig === 'west' && call < 4
        ? new Error('spawn kubectl ENOENT')
        : { stdout: reply(kubeconfig, 5) },
    );
    const probe = new AvailabilityProbe({
      clusters,
      starwars: true,
      mesh: false,
      intervalMs: 1,
      requestsPerSample: 5,
    });
    probe.start();
    await new Promise((resolve) => setTimeout(resolve, 40));
    const [, west] = await probe.stop();
    expect(west!.errors).toBeGreaterThan(0);
    expect(west!.failed).toBe(west!.errors * 5);
    expect(west!.answered).toBe(west!.sent - west!.failed);
    expect(formatProbeFigures([west!])).toEqual([
      `west: ${west!.sent} sent, ${west!.answered} answered, ${west!.failed} failed (${west!.errors} samples could not run: spawn kubectl ENOENT)`,
    ]);
  });

  it('formats one line per cluster', () => {
    expect(
      formatProbeFigures([
        { cluster: 'east', sent: 420, answered: 418, failed: 2, errors: 0 },
        { cluster: 'west', sent: 415, answered: 415, failed: 0, errors: 0 },
      ]),
    ).toEqual(['east: 420 sent, 418 answered, 2 failed', 'west: 415 sent, 415 answered, 0 failed']);
  });
});
