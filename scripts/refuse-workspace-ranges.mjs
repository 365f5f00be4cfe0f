#!/usr/bin/env node
// prepublishOnly of every package: refuses to publish a package.json that still has `workspace:`
// ranges unless pnpm is publishing (pnpm, and so `changeset publish` in this repository, replaces
// them with the versions being released; `npm publish` would ship them as they are, and nobody
// could install the package).
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a publish hook, not a turbo task
const agent = process.env.npm_config_user_agent ?? '';
const workspaceRanges = ['dependencies', 'peerDependencies', 'optionalDependencies']
  .flatMap((field) => Object.entries(manifest[field] ?? {}).map(([name, range]) => [field, name, range]))
  .filter(([, , range]) => String(range).startsWith('workspace:'));

if (workspaceRanges.length > 0 && !agent.startsWith('pnpm/')) {
  const list = workspaceRanges.map(([field, name, range]) => `  ${field}.${name}: ${range}`).join('\n');
  process.stderr.write(
    `${manifest.name}: refusing to publish with ${agent.split(' ')[0] || 'this client'}: these ranges would be published as they are:\n${list}\n` +
      'Publish with pnpm (`pnpm release` at the repository root), which replaces them with real versions.\n',
  );
  process.exit(1);
}
