import { spawnSync } from 'node:child_process';

/** DynamoDB Local is a Java program: say so, and how to install it, when Java is missing. */
export function requireJava(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      [
        'Java was not found, and DynamoDB Local needs it (Java 17 or newer).',
        'Install it, then run `npm start` again:',
        '  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless',
        '  macOS:         brew install openjdk@17',
        '  Windows:       winget install Microsoft.OpenJDK.17',
      ].join('\n'),
    );
  }
}
