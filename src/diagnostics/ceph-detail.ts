/**
 * `ceph health detail` as Ceph prints it, from what Rook copies of it into the CephCluster's status
 * (`status.ceph.health` and `status.ceph.details`: each check's code, severity and summary; CONTRACTS D):
 * the health and the summaries joined by "; ", then one `[WRN] CODE: summary` line per check. Rook keeps no
 * per-check detail lines, so none follow them.
 */

interface CephDetail {
  message?: string;
  severity?: string;
}

export function cephHealthDetail(cephCluster: Record<string, unknown>): string {
  const status = (cephCluster.status ?? {}) as {
    ceph?: { health?: string; details?: Record<string, CephDetail> };
  };
  const ceph = status.ceph;
  if (!ceph?.health) return "Rook has not written Ceph's health yet (status.ceph is empty)\n";
  const checks = Object.entries(ceph.details ?? {});
  const summaries = checks.map(([, detail]) => detail.message ?? '').filter((message) => message !== '');
  const lines = [
    summaries.length > 0 ? `${ceph.health} ${summaries.join('; ')}` : ceph.health,
    ...checks.map(([code, detail]) => `[${severityTag(detail.severity)}] ${code}: ${detail.message ?? ''}`),
  ];
  return `${lines.join('\n')}\n`;
}

function severityTag(severity: string | undefined): string {
  return severity === 'HEALTH_ERR' ? 'ERR' : 'WRN';
}
