/**
 * Packs the built package (`npm pack`) and installs the tarball into an n8n user folder exactly the way
 * n8n 2.40's Community Nodes installer lays it out (CommunityPackagesService.downloadPackage):
 *   <N8N_USER_FOLDER>/.n8n/nodes/node_modules/<name>/   tarball extracted with --strip-components=1
 *   its package.json without devDependencies, peerDependencies, optionalDependencies
 *   `npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow --ignore-scripts=true
 *    --package-lock=false` inside it (installs runtime dependencies only; we have none)
 *   <N8N_USER_FOLDER>/.n8n/nodes/package.json   { dependencies: { <name>: <version> } }  (n8n's ledger)
 * n8n then loads it at start from .n8n/nodes/node_modules (community-packages module, scanDirectoryForPackages).
 * The only thing the installer does that we don't: a row in the installed_packages table (the Settings >
 * Community nodes list). Nodes and credentials load without it.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve, relative, sep } from 'node:path';
import { run, tail } from './proc';
import { REPO_ROOT, type N8nRuntime } from './runtime';

export interface PackedPackage {
	tarball: string;
	name: string;
	version: string;
	/** Paths inside the tarball (package/ prefix stripped). */
	files: string[];
}

/**
 * `npm pack` of a package folder into `destDir`. Default: env PACK_FROM if set (e.g. a staging build), else this
 * repository (build it first: `npm run build`).
 */
export async function packPackage(destDir: string, packageDir = process.env.PACK_FROM || REPO_ROOT): Promise<PackedPackage> {
	await mkdir(destDir, { recursive: true });
	const result = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destDir], {
		cwd: packageDir,
		timeoutMs: 120_000,
	});
	if (result.code !== 0) throw new Error(`npm pack failed in ${packageDir}:\n${tail(result.stderr)}`);
	const start = result.stdout.indexOf('[');
	const info = JSON.parse(result.stdout.slice(start)) as Array<{
		filename: string;
		name: string;
		version: string;
		files: Array<{ path: string }>;
	}>;
	const [entry] = info;
	return {
		tarball: join(destDir, entry.filename),
		name: entry.name,
		version: entry.version,
		files: entry.files.map((f) => f.path),
	};
}

export interface InstalledPackage {
	name: string;
	version: string;
	/** <N8N_USER_FOLDER>/.n8n/nodes/node_modules/<name> */
	dir: string;
	/** What `npm install` put in <dir>/node_modules (top level names; empty for a package without dependencies). */
	nestedModules: string[];
}

function packageDirFor(nodesDir: string, name: string): string {
	const nodeModules = join(nodesDir, 'node_modules');
	const dir = join(nodeModules, name);
	const rel = relative(resolve(nodeModules), resolve(dir));
	if (!rel || rel.startsWith('..') || rel.split(sep).join('/') !== name) throw new Error(`invalid package name ${name}`);
	return dir;
}

/** Installs a packed tarball into `<userFolder>/.n8n/nodes` like n8n's Community Nodes installer (see above). */
export async function installTarball(userFolder: string, tarball: string, runtime: N8nRuntime): Promise<InstalledPackage> {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	await mkdir(nodesDir, { recursive: true });

	const peek = await run('tar', ['-xzOf', tarball, 'package/package.json'], { timeoutMs: 60_000 });
	if (peek.code !== 0) throw new Error(`cannot read package.json from ${tarball}: ${peek.stderr}`);
	const { name, version } = JSON.parse(peek.stdout) as { name: string; version: string };

	const dir = packageDirFor(nodesDir, name);
	await rm(dir, { recursive: true, force: true });
	await mkdir(dir, { recursive: true });
	const untar = await run('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1'], { timeoutMs: 60_000 });
	if (untar.code !== 0) throw new Error(`tar failed: ${untar.stderr}`);

	const packageJsonPath = join(dir, 'package.json');
	// eslint-disable-next-line @typescript-eslint/no-unused-vars
	const { devDependencies, peerDependencies, optionalDependencies, ...packageJson } = JSON.parse(
		await readFile(packageJsonPath, 'utf8'),
	) as Record<string, unknown>;
	await writeFile(packageJsonPath, JSON.stringify(packageJson, null, 2), 'utf8');

	const install = await run(
		'npm',
		[
			'install',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
		],
		{ cwd: dir, timeoutMs: 5 * 60_000, env: { ...process.env, PATH: `${runtime.nodeBinDir}:${process.env.PATH ?? ''}` } },
	);
	if (install.code !== 0) throw new Error(`npm install in ${dir} failed:\n${tail(install.stderr)}`);

	// n8n's ledger of installed packages (CommunityPackagesService.updatePackageJsonDependency)
	const ledgerPath = join(nodesDir, 'package.json');
	let ledger: { name: string; private: boolean; dependencies: Record<string, string> } = {
		name: 'installed-nodes',
		private: true,
		dependencies: {},
	};
	if (existsSync(ledgerPath)) {
		try {
			const parsed = JSON.parse(await readFile(ledgerPath, 'utf8')) as typeof ledger;
			if (parsed?.dependencies) ledger = parsed;
		} catch {
			/* rebuilt below, as n8n does with an unusable ledger */
		}
	}
	ledger.dependencies[name] = version;
	await writeFile(ledgerPath, JSON.stringify(ledger, null, 2), 'utf8');

	const nestedDir = join(dir, 'node_modules');
	const nestedModules = existsSync(nestedDir) ? (await readdir(nestedDir)).filter((n) => !n.startsWith('.')) : [];
	if (nestedModules.includes('n8n-workflow')) {
		throw new Error(`${name} got its own copy of n8n-workflow in ${nestedDir}: it must stay a peer dependency`);
	}
	return { name, version, dir, nestedModules };
}
