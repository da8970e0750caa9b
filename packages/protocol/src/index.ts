export * from './messages.ts';
export * from './error-codes.ts';
export * from './crypto.ts';
export * from './frames.ts';
export { MessageError } from './fields.ts';
