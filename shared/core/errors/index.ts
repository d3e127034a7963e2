export { CofferError } from './CofferError.js';
export * from './errors.js';
export * from './errorCodes.js';
export { httpStatus } from './httpStatus.js';
