#!/usr/bin/env node
/**
 * `pnpm pack:check`: what a user installs, checked before a release and in CI.
 *
 * 1. builds the six packages and packs each with pnpm (as `pnpm release` publishes them);
 * 2. checks every packed package.json: no `workspace:` range, no `kinesis-ts-source` condition, the
 *    release fields (license, repository, homepage, bugs, publishConfig), LICENSE and CHANGELOG.md
 *    in the tarball, source maps without embedded sources;
 * 3. runs publint and @arethetypeswrong/cli on every tarball (an error fails the check);
 * 4. installs the tarballs into scratch projects outside the workspace, one with npm and the lowest
 *    AWS SDK of the peer range, one with pnpm and the newest, and in each runs docs/getting-started's
 *    orders-local.ts (types stripped) against the local stack the installed @kinesis-ts/local
 *    starts, a CommonJS check (one copy of the processing toolkit across @kinesis-ts/consumer and
 *    /lambda) and both CLIs' --version.
 *
 * Flags: --skip-build (use the packages' dist/ as they are), --keep (leave the scratch folder).
 * Prints how long each step took.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['core', 'producer', 'consumer', 'local', 'metrics', 'cli'];
/** The lowest AWS SDK version of the packages' peer range, installed in the npm project. */
const LOWEST_SDK = '3.600.0';
const args = new Set(process.argv.slice(2));
const failures = [];
const timings = [];

function run(command, commandArgs, options = {}) {
  return execFileSync(command, commandArgs, {
    cwd: options.cwd ?? root,
    encoding: 'utf8',
    stdio: options.capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...options.env },
    timeout: options.timeoutMs ?? 600_000,
  });
}

/** pnpm as the caller runs it (`pnpm pack:check` sets npm_execpath), else `npx -y pnpm@10`. */
function pnpm(pnpmArgs, options) {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: a script, not a turbo task
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) return run(process.execPath, [execPath, ...pnpmArgs], options);
  return run('npx', ['-y', 'pnpm@10', ...pnpmArgs], options);
}

async function step(name, action) {
  const started = Date.now();
  process.stdout.write(`\n== ${name}\n`);
  try {
    await action();
  } catch (error) {
    failures.push(`${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    process.stdout.write(`FAILED: ${name}\n${error instanceof Error ? error.message : String(error)}\n`);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  timings.push(`${name}: ${seconds} s`);
  process.stdout.write(`-- ${name}: ${seconds} s\n`);
}

const scratch = mkdtempSync(join(tmpdir(), 'kinesis-ts-pack-check-'));
const tarballDir = join(scratch, 'tarballs');
mkdirSync(tarballDir);
/** Package name → absolute tarball path. */
const tarballs = new Map();

if (!args.has('--skip-build')) {
  await step('build the packages', () => {
    pnpm(['exec', 'turbo', 'run', 'build', ...PACKAGES.map((name) => `--filter=@kinesis-ts/${name}`)], {
      env: { TURBO_TELEMETRY_DISABLED: '1' },
    });
  });
}

await step('pack every package with pnpm', () => {
  for (const name of PACKAGES) {
    const output = pnpm(['pack', '--pack-destination', tarballDir], {
      cwd: join(root, 'packages', name),
      capture: true,
    });
    const tarball = output
      .trim()
      .split('\n')
      .map((line) => line.trim())
      .findLast((line) => line.endsWith('.tgz'));
    if (!tarball) throw new Error(`pnpm pack printed no tarball for ${name}:\n${output}`);
    const path = tarball.startsWith('/') ? tarball : join(tarballDir, tarball);
    tarballs.set(`@kinesis-ts/${name}`, path);
    process.stdout.write(`  @kinesis-ts/${name}: ${(statSync(path).size / 1024).toFixed(0)} KiB packed\n`);
  }
});

/** A file of a tarball, as text. */
function fileOf(tarball, path) {
  return run('tar', ['-xzOf', tarball, `package/${path}`], { capture: true });
}

function filesOf(tarball) {
  return run('tar', ['-tzf', tarball], { capture: true })
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''));
}

await step('check the packed package.json files', () => {
  const problems = [];
  for (const [name, tarball] of tarballs) {
    const text = fileOf(tarball, 'package.json');
    const manifest = JSON.parse(text);
    const files = filesOf(tarball);
    if (text.includes('workspace:')) problems.push(`${name}: a workspace: range would be published`);
    if (JSON.stringify(manifest.exports ?? {}).includes('kinesis-ts-source')) {
      problems.push(`${name}: the kinesis-ts-source condition is in the published exports`);
    }
    for (const field of ['license', 'repository', 'homepage', 'bugs', 'publishConfig', 'engines']) {
      if (manifest[field] === undefined) problems.push(`${name}: no ${field}`);
    }
    for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md']) {
      if (!files.includes(file)) problems.push(`${name}: ${file} is not in the tarball`);
    }
    if (files.some((file) => file.startsWith('src/'))) problems.push(`${name}: sources are in the tarball`);
    for (const map of files.filter((file) => file.endsWith('.map'))) {
      if (JSON.parse(fileOf(tarball, map)).sourcesContent)
        problems.push(`${name}: ${map} embeds its sources`);
    }
    const readme = fileOf(tarball, 'README.md');
    const relative = /\]\((?!https?:|#|mailto:)([^)]+)\)/.exec(readme);
    if (relative) problems.push(`${name}: README.md links to ${relative[1]}, which is not on the registry`);
    for (const [dependency, range] of Object.entries({
      ...manifest.peerDependencies,
      ...manifest.dependencies,
    })) {
      if (/^@aws-sdk\/client-(kinesis|dynamodb)$/.test(dependency) && range !== `^${LOWEST_SDK}`) {
        problems.push(`${name}: ${dependency} ${range}, not the one range ^${LOWEST_SDK}`);
      }
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  process.stdout.write(
    `  ${tarballs.size} manifests: no workspace: ranges, no source condition, release fields set\n`,
  );
});

await step('publint on every tarball', () => {
  for (const [name, tarball] of tarballs) {
    process.stdout.write(`  ${name}\n`);
    run(join(root, 'node_modules/.bin/publint'), ['run', tarball, '--level', 'warning']);
  }
});

await step('@arethetypeswrong/cli on every tarball', () => {
  for (const [name, tarball] of tarballs) {
    process.stdout.write(`  ${name}\n`);
    run(join(root, 'node_modules/.bin/attw'), [tarball, '--format', 'table-flipped', '--no-emoji']);
  }
});

/** docs/getting-started's local program, as plain JavaScript (types stripped with TypeScript). */
async function gettingStartedProgram() {
  const ts = (await import('typescript')).default;
  const source = readFileSync(
    join(root, 'examples/docs-snippets/src/getting-started/orders-local.ts'),
    'utf8',
  );
  return ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
}

const CJS_CHECK = `
const consumer = require('@kinesis-ts/consumer');
const lambda = require('@kinesis-ts/consumer/lambda');
const shared = Object.keys(lambda).filter((name) => name in consumer);
const different = shared.filter((name) => consumer[name] !== lambda[name]);
if (shared.length < 20 || different.length > 0) {
  console.error('two copies in CommonJS:', different.join(', '));
  process.exit(1);
}
for (const name of ['@kinesis-ts/core', '@kinesis-ts/producer', '@kinesis-ts/local', '@kinesis-ts/metrics', '@kinesis-ts/cli']) {
  if (Object.keys(require(name)).length === 0) { console.error(name + ' exports nothing'); process.exit(1); }
}
console.log('CommonJS: ' + shared.length + ' shared exports of @kinesis-ts/consumer and /lambda are one copy');
`;

/** Installs the tarballs into a scratch project with `client` and runs the program and checks there. */
async function scratchProject(client, sdkVersion) {
  const dir = join(scratch, client);
  mkdirSync(dir);
  const overrides = Object.fromEntries([...tarballs].map(([name, path]) => [name, `file:${path}`]));
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify(
      {
        name: `kinesis-ts-pack-check-${client}`,
        private: true,
        type: 'module',
        // the tarballs depend on each other by version; point those at the tarballs too
        ...(client === 'pnpm' ? { pnpm: { overrides } } : {}),
      },
      null,
      2,
    )}\n`,
  );
  if (client === 'pnpm') {
    // a project of its own, not a member of this repository's workspace
    writeFileSync(join(dir, 'pnpm-workspace.yaml'), 'packages: []\n');
  }
  const dependencies = [
    ...tarballs.values(),
    `@aws-sdk/client-kinesis@${sdkVersion}`,
    `@aws-sdk/client-dynamodb@${sdkVersion}`,
    '@smithy/node-http-handler',
  ];
  if (client === 'npm') run('npm', ['install', '--no-audit', '--no-fund', ...dependencies], { cwd: dir });
  else pnpm(['add', ...dependencies], { cwd: dir });
  const installed = JSON.parse(
    readFileSync(join(dir, 'node_modules/@aws-sdk/client-kinesis/package.json'), 'utf8'),
  ).version;
  process.stdout.write(`  installed with ${client}, @aws-sdk/client-kinesis ${installed}\n`);

  writeFileSync(join(dir, 'orders-local.mjs'), await gettingStartedProgram());
  const output = run(process.execPath, ['orders-local.mjs'], { cwd: dir, capture: true, timeoutMs: 180_000 });
  if (!output.includes('received 10 of 10 orders')) {
    throw new Error(`the getting-started program did not receive every order:\n${output}`);
  }
  process.stdout.write('  docs/getting-started orders-local: received 10 of 10 orders\n');

  writeFileSync(join(dir, 'cjs-check.cjs'), CJS_CHECK);
  process.stdout.write(`  ${run(process.execPath, ['cjs-check.cjs'], { cwd: dir, capture: true }).trim()}\n`);

  for (const bin of ['kinesis-ts', 'kinesis-ts-local']) {
    const path = join(dir, 'node_modules/.bin', bin);
    if (!existsSync(path)) throw new Error(`${bin} is not installed as a command`);
    const version = run(path, ['--version'], { cwd: dir, capture: true }).trim();
    if (!/ \d+\.\d+\.\d+/.test(version)) throw new Error(`${bin} --version printed '${version}'`);
    process.stdout.write(`  ${version}\n`);
  }
}

await step(`npm project, @aws-sdk ${LOWEST_SDK}: getting-started program, CommonJS, CLIs`, () =>
  scratchProject('npm', LOWEST_SDK),
);
await step('pnpm project, newest @aws-sdk: getting-started program, CommonJS, CLIs', () =>
  scratchProject('pnpm', `^${LOWEST_SDK}`),
);

if (args.has('--keep')) process.stdout.write(`\nScratch folder kept: ${scratch}\n`);
else rmSync(scratch, { recursive: true, force: true });

process.stdout.write(`\nTimes:\n  ${timings.join('\n  ')}\n`);
if (failures.length > 0) {
  process.stdout.write(`\npack:check failed:\n  ${failures.join('\n  ')}\n`);
  process.exit(1);
}
process.stdout.write('\npack:check passed\n');
