/** The lab's Doppler stand-in (LIFECYCLE section J): start it with the lab CA, talk to it over HTTPS. */
export { startDopplerStandIn } from './server.js';
export type { DopplerExchange, DopplerStandIn, DopplerStandInOptions } from './server.js';
export { DopplerContract } from './contract.js';
