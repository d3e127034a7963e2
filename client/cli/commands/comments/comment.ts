import { commandGroup } from '../commandGroup.js';
import { commentAdd } from './commentAdd.js';
import { commentLs } from './commentLs.js';
import { commentRm } from './commentRm.js';

/** `coffer comment add|ls|rm`: comments are encrypted and decrypted on this machine. */
export const comment = commandGroup('comment', 'comments on a document, end-to-end encrypted (add, ls, rm)', [commentAdd, commentLs, commentRm]);
