import { Option } from 'commander';

/** `--force`: a command that saves a file may replace an existing one. */
export function forceOption(): Option {
  return new Option('--force', 'replace an existing file');
}
