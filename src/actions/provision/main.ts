import { runProvision } from '../provision.js';
await runProvision();
