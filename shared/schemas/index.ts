export * from './common.js';
export * from './users.js';
export * from './auth.js';
export * from './documents.js';
export * from './comments.js';
export * from './invitations.js';
export * from './groups.js';
export * from './folders.js';
