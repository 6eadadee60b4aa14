import { runDay2Action } from '../day2.js';
await runDay2Action();
