/**
 * Kubernetes resource quantities as the twin writes them: CPU in millicores (`250m`, `1`, `0.5`),
 * memory in binary units (`512Mi`, `2Gi`, `1536Ki`) or decimal ones (`50M`, `1G`).
 */

const CPU = /^(\d+(?:\.\d+)?)(m?)$/;
const MEMORY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const MIB = 1024 * 1024;
const BYTES: Record<string, number> = {
  '': 1,
  Ki: 1024,
  Mi: MIB,
  Gi: 1024 * MIB,
  Ti: 1024 * 1024 * MIB,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

export function cpuMilli(quantity: string | number): number {
  const match = CPU.exec(String(quantity));
  if (!match) throw new Error(`"${quantity}" is not a CPU quantity (e.g. 250m or 1)`);
  const value = Number(match[1]);
  return Math.ceil(match[2] === 'm' ? value : value * 1000);
}

/** Rounded up to whole MiB: a request is never understated. */
export function memoryMiB(quantity: string | number): number {
  const match = MEMORY.exec(String(quantity));
  if (!match) throw new Error(`"${quantity}" is not a memory quantity (e.g. 512Mi or 2Gi)`);
  return Math.ceil((Number(match[1]) * BYTES[match[2] ?? '']!) / MIB);
}

export function formatCpu(milli: number): string {
  return `${milli}m`;
}

export function formatMemory(mib: number): string {
  return `${mib}Mi`;
}
