import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONNECTION_OPTIONS, parseCommandLine } from '../../src/cli/args.js';
import { connectWithLab } from '../../src/cli/connect.js';
import { Inputs, takeRequiredSecretInput, takeSecretInput } from '../../src/github/action-io.js';

const TOKEN = 'twin@pve!gha=11111111-2222-3333-4444-555555555555';

afterEach(() => {
  vi.restoreAllMocks();
  delete process.env['INPUT_PROXMOX-TOKEN'];
  delete process.env['INPUT_GITHUB-TOKEN'];
});

describe('token inputs leave the environment once read', () => {
  it('takes the proxmox token out of INPUT_PROXMOX-TOKEN and masks it', () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    process.env['INPUT_PROXMOX-TOKEN'] = ` ${TOKEN} `;

    expect(takeRequiredSecretInput(Inputs.ProxmoxToken)).toBe(TOKEN);
    expect(process.env['INPUT_PROXMOX-TOKEN']).toBeUndefined();
    expect(written.join('')).toContain(`::add-mask::${TOKEN}`);
  });

  it('an empty optional token is undefined and its variable is gone too', () => {
    process.env['INPUT_GITHUB-TOKEN'] = '';
    expect(takeSecretInput(Inputs.GithubToken)).toBeUndefined();
    expect('INPUT_GITHUB-TOKEN' in process.env).toBe(false);
  });

  it('a missing required token names the input', () => {
    expect(() => takeRequiredSecretInput(Inputs.ProxmoxToken)).toThrow(
      'input proxmox-token is required: set it under "with:" in the workflow step',
    );
  });

  it('the CLI takes PVE_TOKEN out of its environment once read', async () => {
    const env: NodeJS.ProcessEnv = { PVE_TOKEN: TOKEN };
    const parsed = parseCommandLine(
      ['--endpoint', 'https://pve1.lab:8006', '--insecure'],
      CONNECTION_OPTIONS,
      [],
      '',
    );
    const { tokenId } = await connectWithLab(parsed, env);
    expect(tokenId).toBe('twin@pve!gha');
    expect(env).toEqual({});
  });
});
