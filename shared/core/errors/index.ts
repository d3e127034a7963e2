export { CofferError } from './CofferError.js';
export * from './errors.js';
export { httpStatus } from './httpStatus.js';
