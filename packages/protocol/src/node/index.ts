// Node-only parts of the protocol package: the node:http transport and the push command.
export { NodeHttpTransport } from './node-http-transport.ts';
export { push, verdictLine, EXIT } from './push.ts';
export { readSecret, SECRET_ENV, type SecretInput } from './secret-input.ts';
