import { InvalidArgumentError } from 'commander';
import { MAX_VERSION } from '../../shared/core/api/schemas/versions.js';

/** A version number argument or option: a positive whole number up to the server's maximum. */
export function versionArgument(value: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(value) || Number(value) > MAX_VERSION) {
    throw new InvalidArgumentError('a version is a positive whole number, as `coffer versions ID` lists them.');
  }
  return Number(value);
}
