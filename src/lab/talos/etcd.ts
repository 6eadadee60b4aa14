import { randomBytes } from 'node:crypto';

/**
 * etcd on the lab's control planes, per node as Talos keeps it (LIFECYCLE F.4; TALOS v1.11.6
 * `internal/app/machined/pkg/system/services/etcd.go`): a node's /var/lib/etcd is on its own disk; a
 * bootstrap starts a new single-member cluster there; a control plane that was not bootstrapped and has
 * an empty data directory joins the cluster its peers run (adding itself as a member). So a bootstrap on
 * a second control plane before it joined makes a second, independent etcd cluster.
 */

/** One node's etcd data directory: the cluster it belongs to and its member id. */
export interface EtcdMemberRecord {
  vmid: number;
  /** The VM's identity (net0 MAC): a VM created again has a new, empty disk. */
  identity: string;
  /** The etcd cluster this data belongs to (`%016x`). */
  etcdClusterId: string;
  memberId: string;
  /** The member's name and the address of its peer and client URLs, as etcd stored them at the join. */
  hostname: string;
  address: string;
  /** cluster.id of the Talos config that ran it. */
  talosClusterId: string;
  /** When it became a member: bootstrapped, or joined. */
  joinedAt: number;
  bootstrapped: boolean;
}

/** What etcd needs to know of a Talos node (TalosNode has it). */
export interface EtcdHost {
  vm: { vmid: number };
  identity: string;
  phase: string;
  role?: 'controlplane' | 'worker';
  clusterId?: string;
  hostname: string;
  addresses: string[];
  /** When etcd may start on it: CRI up and time in sync (Infinity: never). */
  servicesStartAt: number;
}

export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;

/** etcdresource.FormatMemberID. */
function newId(): string {
  return randomBytes(8).toString('hex');
}

export class EtcdMembership {
  constructor(
    private readonly records: Record<string, EtcdMemberRecord>,
    private readonly save: () => void,
    /** Profile seconds -> lab ms. */
    private readonly ms: (seconds: number) => number,
    private readonly joinSeconds: number,
  ) {}

  /** The node's data directory: its record, when there is one and it is of this very VM. */
  dataOf(host: EtcdHost): EtcdMemberRecord | undefined {
    const record = this.records[String(host.vm.vmid)];
    return record && record.identity === host.identity ? record : undefined;
  }

  /** When etcd runs on the node (Infinity when it does not): it has data, and is up with CRI and time. */
  upAt(host: EtcdHost): number {
    const record = this.dataOf(host);
    if (!record || host.phase !== 'running' || host.role !== 'controlplane') return Infinity;
    return Math.max(record.joinedAt, host.servicesStartAt);
  }

  /** Bootstrap mode: a new cluster, this node its only member. */
  bootstrap(host: EtcdHost, now: number): EtcdMemberRecord {
    const record: EtcdMemberRecord = {
      vmid: host.vm.vmid,
      identity: host.identity,
      etcdClusterId: newId(),
      memberId: newId(),
      hostname: host.hostname,
      address: host.addresses[0] ?? '',
      talosClusterId: host.clusterId ?? '',
      joinedAt: now,
      bootstrapped: true,
    };
    this.records[String(host.vm.vmid)] = record;
    this.save();
    return record;
  }

  /** The members of the cluster `record` belongs to, in the order they joined. */
  members(record: EtcdMemberRecord): EtcdMemberRecord[] {
    return Object.values(this.records)
      .filter((other) => other.etcdClusterId === record.etcdClusterId)
      .sort((a, b) => a.joinedAt - b.joinedAt || a.vmid - b.vmid);
  }

  /**
   * Forgets data directories whose VM is gone or was created again, and lets every control plane with an
   * empty one join the etcd its peers run, once it had time to (`etcdJoin` after both were up).
   */
  settle(hosts: EtcdHost[], identities: Map<number, string>, now: number): void {
    let changed = false;
    for (const [key, record] of Object.entries(this.records)) {
      if (identities.get(record.vmid) !== record.identity) {
        delete this.records[key];
        changed = true;
      }
    }
    for (const host of hosts) {
      if (host.role !== 'controlplane' || host.phase !== 'running' || this.dataOf(host)) continue;
      const join = this.joinTime(host, hosts);
      if (!join || join.at > now) continue;
      this.records[String(host.vm.vmid)] = {
        vmid: host.vm.vmid,
        identity: host.identity,
        etcdClusterId: join.cluster,
        memberId: newId(),
        hostname: host.hostname,
        address: host.addresses[0] ?? '',
        talosClusterId: host.clusterId ?? '',
        joinedAt: join.at,
        bootstrapped: false,
      };
      changed = true;
    }
    if (changed) this.save();
  }

  /** The earliest running etcd of the same Talos cluster the node can join, and when the join completes. */
  private joinTime(host: EtcdHost, hosts: EtcdHost[]): { cluster: string; at: number } | undefined {
    const peers = hosts
      .filter((peer) => peer !== host && peer.clusterId === host.clusterId)
      .map((peer) => ({ record: this.dataOf(peer), upAt: this.upAt(peer) }))
      .filter((peer) => peer.record && Number.isFinite(peer.upAt))
      .sort((a, b) => (a.record?.joinedAt ?? 0) - (b.record?.joinedAt ?? 0));
    const first = peers[0];
    if (!first?.record || !Number.isFinite(host.servicesStartAt)) return undefined;
    return {
      cluster: first.record.etcdClusterId,
      at: Math.max(host.servicesStartAt, first.upAt) + this.ms(this.joinSeconds),
    };
  }
}
