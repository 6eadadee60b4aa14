import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabHandle, LabOptions } from '../../../src/lab/lab.js';
import { startLab } from '../../../src/lab/lab.js';

export interface ApiResponse {
  status: number;
  statusMessage: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body, checked field by field in tests
  body: any;
}

export type Params = Record<string, string | number>;

/** A small PVE API client for tests: token auth, the lab's CA pinned, form-encoded bodies. */
export class LabClient {
  private readonly ca: string;

  constructor(
    readonly lab: LabHandle,
    private readonly token = lab.token,
  ) {
    this.ca = readFileSync(lab.caFile, 'utf8');
  }

  withToken(token: string): LabClient {
    return new LabClient(this.lab, token);
  }

  call(method: string, path: string, params: Params = {}): Promise<ApiResponse> {
    const form = new URLSearchParams(
      Object.entries(params).map(([key, value]): [string, string] => [key, String(value)]),
    ).toString();
    const withQuery = method === 'GET' || method === 'DELETE';
    const url = `${this.lab.endpoint}${path}${withQuery && form ? `?${form}` : ''}`;
    return new Promise((done, failed) => {
      const req = request(url, {
        method,
        ca: this.ca,
        headers: {
          Authorization: `PVEAPIToken=${this.token}`,
          ...(withQuery ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' }),
        },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          done({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            body: text ? JSON.parse(text) : undefined,
          });
        });
      });
      req.on('error', failed);
      req.end(withQuery ? undefined : form);
    });
  }

  get(path: string, params?: Params) {
    return this.call('GET', path, params);
  }
  post(path: string, params?: Params) {
    return this.call('POST', path, params);
  }
  put(path: string, params?: Params) {
    return this.call('PUT', path, params);
  }
  delete(path: string, params?: Params) {
    return this.call('DELETE', path, params);
  }

  /** The data of a 200 answer; anything else fails the test with the status line. */
  async data(method: string, path: string, params?: Params) {
    const res = await this.call(method, path, params);
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${res.statusMessage}`);
    return res.body.data;
  }

  /** Polls a task until it stops; returns its final status. */
  async waitTask(upid: string) {
    const node = upid.split(':')[1];
    const path = `/nodes/${node}/tasks/${encodeURIComponent(upid)}/status`;
    for (;;) {
      const status = await this.data('GET', path);
      if (status.status === 'stopped') return status;
      await new Promise((done) => setTimeout(done, 5));
    }
  }

  async taskLog(upid: string): Promise<string[]> {
    const node = upid.split(':')[1];
    const lines = await this.data('GET', `/nodes/${node}/tasks/${encodeURIComponent(upid)}/log`, {
      limit: 500,
    });
    return lines.map((line: { t: string }) => line.t);
  }

  /** Runs a task-starting call to the end; returns the final task status. */
  async run(method: string, path: string, params?: Params) {
    return this.waitTask(await this.data(method, path, params));
  }
}

/** Lab time runs 200 times faster in tests: the 10 s config lock timeout is 50 ms. */
export const TEST_TIME_SCALE = 0.005;

export interface TestLab {
  lab: LabHandle;
  /** The lab's default token: the operator's least-privilege twin@pve!gha. */
  api: LabClient;
  /** root@pam!lab, for tests of PVE's own mechanics that are not about rights. */
  root: LabClient;
  dir: string;
  stop(): Promise<void>;
}

export async function startTestLab(options: Partial<LabOptions> = {}, dir?: string): Promise<TestLab> {
  const labDir = dir ?? mkdtempSync(join(tmpdir(), 'twin-lab-'));
  const lab = await startLab({ timeScale: TEST_TIME_SCALE, ...options, dir: labDir });
  return {
    lab,
    api: new LabClient(lab),
    root: new LabClient(lab, lab.rootToken),
    dir: labDir,
    stop: async () => {
      await lab.close();
      if (!dir) rmSync(labDir, { recursive: true, force: true });
    },
  };
}

export const TALOS_IMAGE_URL =
  'https://factory.talos.dev/image/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba/v1.11.6/nocloud-amd64.qcow2';
export const TALOS_IMAGE = 'talos-v1.11.6-nocloud-amd64.qcow2';

/** Downloads the Talos image into pve1's `local` import content; returns its volume id. */
export async function downloadTalosImage(api: LabClient, node = 'pve1'): Promise<string> {
  const status = await api.run('POST', `/nodes/${node}/storage/local/download-url`, {
    url: TALOS_IMAGE_URL,
    content: 'import',
    filename: TALOS_IMAGE,
  });
  if (status.exitstatus !== 'OK') throw new Error(`download failed: ${status.exitstatus}`);
  return `local:import/${TALOS_IMAGE}`;
}

/** The create call of CONTRACTS.md A.6, for `vmid` on pve1. */
export function talosCreateParams(vmid: number, overrides: Params = {}): Params {
  return {
    vmid,
    name: `talos-cp-${vmid}`,
    memory: 4096,
    balloon: 0,
    cores: 2,
    cpu: 'x86-64-v2-AES',
    ostype: 'l26',
    scsihw: 'virtio-scsi-single',
    scsi0: `local-lvm:0,import-from=local:import/${TALOS_IMAGE},iothread=1,discard=on,ssd=1`,
    scsi1: 'local-lvm:100',
    ide2: 'local-lvm:cloudinit',
    citype: 'nocloud',
    ipconfig0: 'ip=192.168.10.11/24,gw=192.168.10.1',
    nameserver: '192.168.10.1',
    net0: 'virtio,bridge=vmbr0,tag=20',
    agent: 'enabled=1',
    serial0: 'socket',
    boot: 'order=scsi0',
    onboot: 1,
    tags: 'talos;cluster-a;cp',
    ...overrides,
  };
}
